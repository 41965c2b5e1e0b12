// Usage: node crawl.mjs SITE_DIR
// Clicks through the built site in headless Chromium as a reader would, three ways: opened
// from disk (file://, as the README's "open output/index.html" says), served at the root of a
// host, and served under a base path (/clinic/guides/, as a site with base_url
// "https://host/clinic/guides/" is). From index.html it follows every link of every page it
// reaches (the search page's result links too: they are made by its script) and fails on
//   - a folder listing (a link to a folder opens Chromium's "Index of" page over file://),
//   - a link to a folder at all (a URL ending in '/': over file:// that is a listing),
//   - a page or file that does not load (404, file not found),
//   - a #fragment that names no element of the page it leads to,
//   - any page the crawl cannot reach from the index (an orphan is a link nobody can follow).
// Links to other hosts (a DOI, PubMed) are not followed. Exit 1 on any finding.
import { existsSync } from 'node:fs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { htmlFiles } from './pages.mjs';

const dir = process.argv[2];
if (!dir) { console.error('usage: node crawl.mjs SITE_DIR'); process.exit(2); }
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--allow-file-access-from-files'];

// A word the search index certainly holds, to make the search page list results.
function indexWord() {
  try {
    const js = readFileSync(join(dir, 'search/index.js'), 'utf8');
    const data = JSON.parse(js.slice(js.indexOf('=') + 1, js.lastIndexOf(';')));
    const text = data.p.flatMap(p => p.e)[0][0];
    return (text.match(/\p{L}{6,}/u) || ['the'])[0];
  } catch { return 'the'; }
}
const WORD = indexWord();

let findings = 0;
const report = (how, where, msg) => { findings++; console.log(`${how}: ${where}: ${msg}`); };

// Crawl the site whose index is at `start` (a URL ending in index.html); `inSite(url)` says
// whether a URL is the site's; `exists(url)` whether a file a link names is there (PDFs,
// feeds: not opened in the browser).
async function crawl(how, context, start, inSite, rel) {
  const page = context.pages()[0] || await context.newPage();
  const queue = [start];
  const seen = new Set([start]);
  const ids = new Map();
  const links = [];
  const search = new URL(`search/index.html?q=${encodeURIComponent(WORD)}`, start).href;
  queue.push(search); seen.add(search);
  // Each translation language's search page (<lang>/search/), which its pages' search box
  // opens with a form the crawl does not submit.
  for (const f of htmlFiles(dir)) {
    if (f !== 'search/index.html' && f.endsWith('/search/index.html')) {
      const other = new URL(f, start).href;
      queue.push(other); seen.add(other);
    }
  }
  while (queue.length) {
    const url = queue.shift();
    let resp;
    try { resp = await page.goto(url, { waitUntil: 'load' }); }
    catch (e) { report(how, rel(url), `does not load: ${e.message.split('\n')[0]}`); continue; }
    if (resp && resp.status() >= 400) { report(how, rel(url), `HTTP ${resp.status()}`); continue; }
    if (url === search) {
      await page.waitForSelector('.search-hit a', { timeout: 5000 }).catch(() =>
        report(how, rel(url), `the search for "${WORD}" lists no result`));
    }
    const info = await page.evaluate(() => ({
      listing: document.title.startsWith('Index of ') || !!document.querySelector('#parentDirLinkBox, #listingParsingErrorBox'),
      ids: [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.getAttribute('name')),
      hrefs: [...document.querySelectorAll('a[href], link[href]:not([rel=canonical])')].map(a => a.href),
    }));
    if (info.listing) { report(how, rel(url), 'is a folder listing'); continue; }
    ids.set(url.split('#')[0].split('?')[0], new Set(info.ids));
    for (const href of info.hrefs) {
      if (!inSite(href)) continue;
      const u = new URL(href);
      const bare = u.origin === 'null' || u.protocol === 'file:' ? `file://${u.pathname}` : `${u.origin}${u.pathname}`;
      links.push({ from: url, href, bare, hash: decodeURIComponent(u.hash.slice(1)) });
      if (u.pathname.endsWith('/')) { report(how, rel(url), `links to a folder: ${rel(href)}`); continue; }
      if (!u.pathname.endsWith('.html')) {
        if (!(await exists(how, context, bare))) report(how, rel(url), `links to a missing file: ${rel(href)}`);
        continue;
      }
      const next = bare + u.search;
      if (!seen.has(next)) { seen.add(next); queue.push(next); }
    }
  }
  for (const l of links) {
    const have = ids.get(l.bare);
    if (l.hash && have && !have.has(l.hash)) report(how, rel(l.from), `no id "${l.hash}" in ${rel(l.bare)}`);
  }
  // Every page is reachable from the index (the editorial report is linked from nowhere, by
  // design: it is for reviewers).
  const reached = new Set([...ids.keys()].map(rel));
  for (const f of htmlFiles(dir)) {
    if (f.startsWith('_editorial/')) continue;
    if (!reached.has(f)) report(how, f, 'is not reachable from index.html');
  }
  return seen.size;
}

async function exists(how, context, bare) {
  if (bare.startsWith('file://')) return existsSync(decodeURIComponent(new URL(bare).pathname));
  const r = await context.request.fetch(bare, { method: 'HEAD' }).catch(() => null);
  return !!r && r.status() < 400;
}

const profile = mkdtempSync(join(tmpdir(), 'careguide-crawl-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
});
try {
  // (1) From disk.
  const base = pathToFileURL(dir.endsWith('/') ? dir : dir + '/').href;
  const fromDisk = u => decodeURIComponent(new URL(u).pathname).slice(decodeURIComponent(new URL(base).pathname).length);
  let n = await crawl('file://', context, base + 'index.html', u => u.startsWith(base), fromDisk);
  console.log(`crawl file://: ${n} URLs`);
  // (2) Served at a host's root, and (3) under a base path.
  for (const prefix of ['', 'clinic/guides/']) {
    const server = await serve(dir, prefix);
    try {
      const root = server.url + prefix;
      const served = u => new URL(u).pathname.slice(new URL(root).pathname.length) || 'index.html';
      n = await crawl(`http /${prefix}`, context, root + 'index.html', u => u.startsWith(root), served);
      console.log(`crawl http /${prefix}: ${n} URLs`);
    } finally { await server.close(); }
  }
} finally {
  await context.close();
}
console.log(`crawl: ${findings} findings`);
process.exit(findings ? 1 : 0);
