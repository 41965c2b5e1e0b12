// Usage: node a11y.mjs SITE_DIR
// Serves the built site on 127.0.0.1 and runs axe-core (WCAG 2.1 A and AA) in headless
// Chromium on every page, at 1280 px and at 390 px (a phone, with touch). Also fails on
// script errors, on any request to another host, on sideways scrolling at phone width, and
// when the search page finds nothing for a word the sample site contains or its result links
// lead nowhere. Exit 1 on any finding.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { htmlFiles } from './pages.mjs';

const dir = process.argv[2];
if (!dir) { console.error('usage: node a11y.mjs SITE_DIR'); process.exit(2); }
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
// A word the site certainly contains: the first long word of the first indexed text that
// carries citations (or of the first text, when nothing is cited).
function indexWord() {
  try {
    const js = readFileSync(join(dir, 'search/index.js'), 'utf8');
    const data = JSON.parse(js.slice(js.indexOf('=') + 1, js.lastIndexOf(';')));
    const all = data.p.flatMap(p => p.e);
    const cited = all.find(e => Array.isArray(e[3]) && e[3].length);
    const text = (cited || all[0] || ['the'])[0];
    return { word: (text.match(/\p{L}{6,}/u) || text.match(/\p{L}+/u) || ['the'])[0], cited: !!cited };
  } catch { return { word: 'the', cited: false }; }
}
const picked = indexWord();
const SEARCH_WORD = process.env.SEARCH_WORD || picked.word;
const VIEWPORTS = [
  { name: '1280px', options: { viewport: { width: 1280, height: 900 } } },
  { name: '390px', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
];

const pages = htmlFiles(dir).map(p => p.replace(/(^|\/)index\.html$/, '$1'));
pages.push(`search/?q=${encodeURIComponent(SEARCH_WORD)}`, 'search/?q=zzqxnotaword');
const server = await serve(dir);
let findings = 0;
const report = (where, msg) => { findings++; console.log(`${where}: ${msg}`); };

for (const vp of VIEWPORTS) {
  const profile = mkdtempSync(join(tmpdir(), 'careguide-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true, args: CHROMIUM_ARGS, ...vp.options,
  });
  try {
    const foreign = new Set();
    await context.route('**/*', route => {
      const u = new URL(route.request().url());
      if (u.protocol === 'data:' || u.hostname === '127.0.0.1') return route.continue();
      foreign.add(u.href);
      return route.abort();
    });
    const page = context.pages()[0] || await context.newPage();
    const errors = [];
    page.on('pageerror', e => errors.push(e.message));
    page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
    for (const path of pages) {
      const where = `${vp.name} /${path}`;
      errors.length = 0; foreign.clear();
      const resp = await page.goto(server.url + path, { waitUntil: 'load' }).catch(e => e);
      if (!resp || resp instanceof Error || resp.status() >= 400) {
        report(where, `did not load (${resp instanceof Error ? resp.message.split('\n')[0] : resp?.status()})`);
        continue;
      }
      if (path.startsWith('search/')) {
        // The results appear without typing, from ?q=.
        await page.waitForFunction(() => {
          const s = document.getElementById('search-status');
          return s && !/JavaScript/.test(s.textContent);
        }, null, { timeout: 5000 }).catch(() => report(where, 'search did not start'));
      }
      await page.evaluate(axeSource);
      const result = await page.evaluate(tags => axe.run(document,
        { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), TAGS);
      for (const v of result.violations) {
        report(where, `[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element(s))`);
        for (const n of v.nodes.slice(0, 5)) {
          console.log(`    ${n.target.join(' ')}: ${(n.failureSummary || '').split('\n').slice(1, 2).join('').trim()}`);
        }
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 1) report(where, `scrolls sideways by ${overflow}px`);
      for (const e of errors) report(where, `script error: ${e}`);
      for (const u of foreign) report(where, `requested another host: ${u}`);
      if (path.startsWith('search/?q=') && !path.includes('zzq')) {
        const links = await page.$$eval('#search-list a', as => as.map(a => a.href));
        const hits = await page.$$eval('#search-list > li', lis => lis.length);
        if (!hits) report(where, `no results for "${SEARCH_WORD}"`);
        const cites = await page.$$eval('#search-list sup.cite a', as => as.length);
        if (!cites && picked.cited) report(where, 'no result shows its citation numbers');
        const check = await context.newPage();
        for (const href of [...new Set(links)]) {
          // From a blank page, so that a link differing only in its #fragment still loads.
          await check.goto('about:blank');
          const r = await check.goto(href, { waitUntil: 'domcontentloaded' }).catch(e => e);
          const hash = decodeURIComponent(new URL(href).hash.slice(1));
          if (!r || r instanceof Error || r.status() >= 400) report(where, `result link ${href} is broken`);
          else if (hash && !(await check.evaluate(id => !!document.getElementById(id), hash))) {
            report(where, `result link ${href}: no element with id "${hash}"`);
          }
        }
        await check.close();
      }
      if (path.includes('zzq')) {
        const s = await page.textContent('#search-status');
        if (!/No results/.test(s || '')) report(where, `no "No results" message: ${s}`);
      }
    }
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}
await server.close();
console.log(`a11y: ${pages.length} pages x ${VIEWPORTS.length} widths, ${findings} findings`);
process.exit(findings ? 1 : 0);
