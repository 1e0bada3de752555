// Builds each web app whose production build is missing or older than its sources
// (its src/, index.html, vite config, or the shared packages it bundles).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of fs.readdirSync(p)) {
    if (e === 'node_modules' || e === 'dist') continue;
    max = Math.max(max, newestMtime(path.join(p, e)));
  }
  return max;
}

export function ensureBuilt(apps = ['resident', 'console'], { force = false } = {}) {
  for (const app of apps) {
    const dir = path.join(root, 'apps', app);
    const index = path.join(dir, 'dist', 'index.html');
    const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
    const sources = Math.max(
      newestMtime(path.join(dir, 'src')),
      newestMtime(path.join(dir, 'index.html')),
      newestMtime(path.join(dir, 'vite.config.ts')),
      newestMtime(path.join(dir, 'public')),
      newestMtime(path.join(root, 'packages', 'contracts', 'src')),
      newestMtime(path.join(root, 'packages', 'api-client', 'src')),
    );
    if (!force && built > sources) continue;
    console.log(`building apps/${app} …`);
    execFileSync('npm', ['run', 'build', '-w', `apps/${app}`], { cwd: root, stdio: 'inherit' });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureBuilt();
