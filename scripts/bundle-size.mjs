// Measures the initial JavaScript of each built app — what dist/index.html loads before any
// lazy route: its module scripts and modulepreloads — gzipped, and fails above the budget.
// Usage: node scripts/bundle-size.mjs   (after `npm run build`)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
/** Budgets in kB (1 kB = 1000 bytes, as Vite reports them), gzip level 9. */
const BUDGETS = { resident: 90, console: 250 };

function initialScripts(dist) {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = new Set();
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) files.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(m[1]);
  return [...files];
}

let failed = false;
for (const [app, budget] of Object.entries(BUDGETS)) {
  const dist = path.join(root, 'apps', app, 'dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    console.error(`bundle-size: apps/${app}/dist/index.html is missing — build first`);
    failed = true;
    continue;
  }
  const base = app === 'console' ? '/console/' : '/';
  let total = 0;
  const rows = [];
  for (const src of initialScripts(dist)) {
    const rel = src.startsWith(base) ? src.slice(base.length) : src.replace(/^\//, '');
    const bytes = zlib.gzipSync(fs.readFileSync(path.join(dist, rel)), { level: 9 }).length;
    total += bytes;
    rows.push(`    ${(bytes / 1000).toFixed(1).padStart(7)} kB  ${rel}`);
  }
  const kb = total / 1000;
  const verdict = kb <= budget ? 'OK' : 'OVER BUDGET';
  console.log(`bundle-size ${app}: initial JS ${kb.toFixed(1)} kB gzip (budget ${budget} kB) ${verdict}`);
  for (const r of rows) console.log(r);
  if (kb > budget) failed = true;
}
process.exit(failed ? 1 : 0);
