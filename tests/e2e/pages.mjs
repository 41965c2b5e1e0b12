// Every HTML file under a folder, as sorted paths relative to it with '/' separators.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function htmlFiles(dir, prefix = '') {
  const out = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...htmlFiles(dir, rel));
    else if (e.name.endsWith('.html')) out.push(rel);
  }
  return out.sort();
}
