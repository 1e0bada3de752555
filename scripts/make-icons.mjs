// Renders the resident app's icons (apps/resident/icons/*.svg, drawn by hand in the logo's style)
// to the PNGs the web app manifest names (apps/resident/public/icons/). Run after changing an SVG:
//   node scripts/make-icons.mjs
// Rendering is done by Debian's chromium through playwright-core (already here for the browser
// tests), so no image library is added for a job done once per logo change. The PNGs are committed.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'apps/resident/icons');
const out = path.join(root, 'apps/resident/public/icons');

/** [svg, png, size]: 192 and 512 for the manifest ("any" and "maskable"), 180 for iOS's home screen. */
const ICONS = [
  ['icon.svg', 'icon-192.png', 192],
  ['icon.svg', 'icon-512.png', 512],
  ['icon-maskable.svg', 'icon-maskable-192.png', 192],
  ['icon-maskable.svg', 'icon-maskable-512.png', 512],
  // iOS rounds the corners itself and shows transparency as black: the full-bleed drawing.
  ['icon-maskable.svg', 'apple-touch-icon-180.png', 180],
];

const executablePath =
  process.env.CHROMIUM_PATH || execSync('command -v chromium', { encoding: 'utf8' }).trim();
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  fs.mkdirSync(out, { recursive: true });
  for (const [svg, png, size] of ICONS) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const markup = fs
      .readFileSync(path.join(src, svg), 'utf8')
      .replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(
      `<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${markup}`,
    );
    await page.screenshot({
      path: path.join(out, png),
      omitBackground: true,
      clip: { x: 0, y: 0, width: size, height: size },
    });
    await page.close();
    console.log(`${png} (${size}×${size}) from ${svg}`);
  }
} finally {
  await browser.close();
}
