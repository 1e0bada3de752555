import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * File helpers of backups: hashing, copying with fsync, walking a tree. A backup holds every
 * resident's personal data, so what they create is readable by its owner only.
 */

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export interface FileSum {
  size: number;
  sha256: string;
}

const CHUNK = 1 << 20;

/** sha256 and size of a file, read in 1 MB chunks. */
export async function hashFile(file: string): Promise<FileSum> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { size, sha256: hash.digest('hex') };
  } finally {
    await fh.close();
  }
}

/**
 * Copies `src` to a new file `dst` (never over an existing one), hashing what it copies, and
 * fsyncs it: a backup is only worth having once it is on stable storage.
 */
export async function copyAndHash(src: string, dst: string): Promise<FileSum> {
  await fs.promises.mkdir(path.dirname(dst), { recursive: true, mode: DIR_MODE });
  const from = await fs.promises.open(src, 'r');
  try {
    const to = await fs.promises.open(dst, 'wx', FILE_MODE);
    try {
      const hash = createHash('sha256');
      const buf = Buffer.allocUnsafe(CHUNK);
      let size = 0;
      for (;;) {
        const { bytesRead } = await from.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hash.update(chunk);
        await to.write(chunk);
        size += bytesRead;
      }
      await to.sync();
      return { size, sha256: hash.digest('hex') };
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/** Writes a new file and fsyncs it. */
export async function writeSynced(file: string, data: Buffer | string): Promise<FileSum> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: DIR_MODE });
  const fh = await fs.promises.open(file, 'wx', FILE_MODE);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** fsyncs a directory and every directory under it, so new entries (and renames) are durable. */
export async function syncDirs(dir: string): Promise<void> {
  for (const entry of await fs.promises.readdir(dir, { withFileTypes: true }))
    if (entry.isDirectory()) await syncDirs(path.join(dir, entry.name));
  const fh = await fs.promises.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Regular files under `root`, as POSIX paths relative to `base`, sorted. Anything else
 * (symlinks, sockets) is reported in `skipped`: the upload store holds only files the server wrote.
 */
export async function listFiles(root: string, base: string): Promise<{ files: string[]; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  const walk = async (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const rel = path.relative(base, abs).split(path.sep).join('/');
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) files.push(rel);
      else skipped.push(rel);
    }
  };
  await walk(root);
  files.sort();
  return { files, skipped };
}
