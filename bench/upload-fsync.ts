/**
 * `npm run bench:upload-fsync -w bench`: what making an upload durable costs on this disk. Does
 * what core/files.ts `storeFiles` does — write the temp file, fsync it, rename it into
 * `uploads/<yyyy>/<mm>/`, fsync that directory — against the same steps without the two fsyncs,
 * for one file and for a request of nine (files fsynced together, directory once), at three sizes.
 * DATA_DIR picks the disk (default: the OS temp dir). Reported, never asserted.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = fs.mkdtempSync(path.join(process.env.DATA_DIR ?? os.tmpdir(), 'linli-fsync-'));
const tmp = path.join(root, 'uploads', '.tmp');
const dest = path.join(root, 'uploads', '2026', '11');
fs.mkdirSync(tmp, { recursive: true });
fs.mkdirSync(dest, { recursive: true });

async function syncPath(p: string, flags: string) {
  const fh = await fs.promises.open(p, flags);
  await fh.sync();
  await fh.close();
}

/** Writes `n` files of `size` bytes as an upload does, then stores them; ms for the store step. */
async function round(n: number, size: number, durable: boolean): Promise<number> {
  const data = randomBytes(size);
  const names = Array.from({ length: n }, () => randomBytes(8).toString('hex'));
  for (const name of names) await fs.promises.writeFile(path.join(tmp, `${name}.part`), data);
  const t = performance.now();
  if (durable) await Promise.all(names.map((name) => syncPath(path.join(tmp, `${name}.part`), 'r+')));
  for (const name of names)
    await fs.promises.rename(path.join(tmp, `${name}.part`), path.join(dest, `${name}.jpg`));
  if (durable) await syncPath(dest, 'r');
  const ms = performance.now() - t;
  for (const name of names) await fs.promises.rm(path.join(dest, `${name}.jpg`));
  return ms;
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`\nStoring uploads on ${root} (median of 15 rounds)\n`);
console.log(
  '| files × size | rename only ms | fsync file + rename + fsync dir ms | fsync cost per file ms |',
);
console.log('| --- | --- | --- | --- |');
for (const [n, size, label] of [
  [1, 300 * 1024, '1 × 300 KB (a downscaled photo)'],
  [1, 3 * 1024 * 1024, '1 × 3 MB (a phone photo)'],
  [1, 10 * 1024 * 1024, '1 × 10 MB (the largest file)'],
  [9, 300 * 1024, '9 × 300 KB (a report with 9 photos)'],
  [9, 3 * 1024 * 1024, '9 × 3 MB'],
] as const) {
  const plain: number[] = [];
  const durable: number[] = [];
  for (let i = 0; i < 15; i++) {
    plain.push(await round(n, size, false));
    durable.push(await round(n, size, true));
  }
  const p = median(plain);
  const d = median(durable);
  console.log(`| ${label} | ${p.toFixed(2)} | ${d.toFixed(2)} | ${((d - p) / n).toFixed(2)} |`);
}
fs.rmSync(root, { recursive: true, force: true });
