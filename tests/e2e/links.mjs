// Usage: node links.mjs SITE_DIR
// (c) Every internal link and anchor in every HTML page resolves: the file exists (a folder
//     means its index.html) and a #fragment names an id (or <a name>) in the target page.
// (d) No page loads anything from another host: scripts, styles, images, fonts, frames and
//     media are local, and so are the url(...) and @import of the stylesheets.
// Links to other sites (<a href="https://...">, such as a DOI) are allowed; they are not fetched.
import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { htmlFiles } from './pages.mjs';

const dir = process.argv[2];
if (!dir) { console.error('usage: node links.mjs SITE_DIR'); process.exit(2); }

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
function decode(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return String.fromCodePoint(n);
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

// Tags with their attributes; the text of <script> and <style> elements is skipped.
function* tags(html) {
  const re = /<!--[\s\S]*?-->|<(script|style)\b([^>]*)>[\s\S]*?<\/\1\s*>|<([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  let m;
  while ((m = re.exec(html))) {
    if (m[0].startsWith('<!--')) continue;
    const name = (m[1] || m[3]).toLowerCase();
    const attrs = {};
    const attrRe = /([^\s=\/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
    let a;
    while ((a = attrRe.exec(m[2] ?? m[4] ?? ''))) {
      attrs[a[1].toLowerCase()] = decode(a[2] ?? a[3] ?? a[4] ?? '');
    }
    yield { name, attrs, inner: m[1] ? m[0] : '' };
  }
}

const pages = htmlFiles(dir);
const parsed = new Map();
function load(rel) {
  if (!parsed.has(rel)) {
    const html = readFileSync(join(dir, rel), 'utf8');
    const ids = new Set();
    const list = [...tags(html)];
    for (const t of list) {
      if (t.attrs.id !== undefined) ids.add(t.attrs.id);
      if (t.name === 'a' && t.attrs.name !== undefined) ids.add(t.attrs.name);
    }
    parsed.set(rel, { list, ids });
  }
  return parsed.get(rel);
}

const external = u => /^([a-z][a-z0-9+.-]*:)?\/\//i.test(u.trim());
const otherScheme = u => /^[a-z][a-z0-9+.-]*:/i.test(u.trim());
let broken = 0, foreign = 0, checked = 0;

// The file a local URL names, relative to the site, or null when it leaves the site.
function target(fromRel, url) {
  const path = decodeURIComponent(url.split('#')[0].split('?')[0]);
  let rel = path === '' ? fromRel : path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(fromRel), path);
  rel = posix.normalize(rel);
  if (rel.startsWith('..')) return null;
  if (rel === '.' || rel === '' || rel.endsWith('/')) rel = posix.join(rel, 'index.html');
  const abs = join(dir, rel);
  if (existsSync(abs) && statSync(abs).isDirectory()) rel = posix.join(rel, 'index.html');
  return rel;
}

function checkLink(page, url, what) {
  checked++;
  if (external(url) || otherScheme(url)) return;
  const rel = target(page, url);
  if (rel === null) { broken++; console.log(`${page}: ${what} ${url} leaves the site`); return; }
  if (!existsSync(join(dir, rel))) { broken++; console.log(`${page}: ${what} ${url}: no file ${rel}`); return; }
  const hash = url.includes('#') ? decodeURIComponent(url.slice(url.indexOf('#') + 1)) : '';
  if (hash && rel.endsWith('.html') && !load(rel).ids.has(hash)) {
    broken++; console.log(`${page}: ${what} ${url}: no id "${hash}" in ${rel}`);
  }
}

const RESOURCE_RELS = ['stylesheet', 'icon', 'preload', 'modulepreload', 'manifest', 'prefetch', 'apple-touch-icon', 'mask-icon'];
function checkResource(page, url, what) {
  if (external(url) || /^https?:/i.test(url.trim())) { foreign++; console.log(`${page}: ${what} ${url} is on another host`); return; }
  checkLink(page, url, what);
}

for (const page of pages) {
  for (const t of load(page).list) {
    const a = t.attrs;
    if (t.name === 'a' || t.name === 'area') { if (a.href !== undefined) checkLink(page, a.href, `<${t.name} href>`); }
    else if (t.name === 'link' && a.href !== undefined) {
      const rels = (a.rel || '').toLowerCase().split(/\s+/);
      if (rels.some(r => RESOURCE_RELS.includes(r))) checkResource(page, a.href, `<link rel="${a.rel}">`);
      else if (!rels.includes('canonical')) checkLink(page, a.href, `<link rel="${a.rel}">`);
    }
    else if (t.name === 'form' && a.action !== undefined) checkLink(page, a.action, '<form action>');
    for (const attr of ['src', 'poster', 'data']) {
      if (a[attr] !== undefined && t.name !== 'a') checkResource(page, a[attr], `<${t.name} ${attr}>`);
    }
    if (a.srcset) for (const c of a.srcset.split(',')) checkResource(page, c.trim().split(/\s+/)[0], `<${t.name} srcset>`);
    const css = (a.style || '') + (t.name === 'style' ? t.inner : '');
    for (const m of css.matchAll(/url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)/g)) {
      checkResource(page, m[1] || m[2], 'CSS url()');
    }
  }
}

// Stylesheets and scripts under the site: fonts, images and imports must be local too.
function* files(d, prefix = '') {
  for (const e of readdirSync(join(d, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) yield* files(d, rel); else yield rel;
  }
}
for (const rel of files(dir)) {
  if (rel.endsWith('.css')) {
    const css = readFileSync(join(dir, rel), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of css.matchAll(/url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)/g)) {
      checkResource(rel, m[1] || m[2], 'CSS url()');
    }
  } else if (rel.endsWith('.js')) {
    const js = readFileSync(join(dir, rel), 'utf8');
    for (const m of js.matchAll(/\b(?:fetch|importScripts|import)\s*\(\s*['"`](https?:)?\/\/[^'"`]+/g)) {
      foreign++; console.log(`${rel}: loads from another host: ${m[0]}`);
    }
  }
}

console.log(`links: ${pages.length} pages, ${checked} links checked, ${broken} broken, ${foreign} resources on other hosts`);
process.exit(broken || foreign ? 1 : 0);
