import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  acquireDataDirLock,
  DataDirBusyError,
  dataDirHolder,
  LOCK_FILE,
  type LockHolder,
} from './data-dir-lock';

const dirs: string[] = [];
const fresh = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-lock-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const holderFile = (dir: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockHolder;

describe('the DATA_DIR lock', () => {
  it('refuses a second holder while the first is alive, naming it, and frees the dir on release', () => {
    const dir = fresh();
    const lock = acquireDataDirLock(dir, 'server');
    expect(holderFile(dir)).toMatchObject({ pid: process.pid, purpose: 'server' });
    expect(dataDirHolder(dir)?.pid).toBe(process.pid);
    try {
      acquireDataDirLock(dir, 'backup');
      expect.unreachable('a second holder was let in');
    } catch (err) {
      expect(err).toBeInstanceOf(DataDirBusyError);
      expect((err as Error).message).toMatch(
        new RegExp(`in use by a running Linli server \\(pid ${process.pid} on ${os.hostname()}`),
      );
    }
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(dataDirHolder(dir)).toBeNull();
    acquireDataDirLock(dir, 'backup').release();
  });

  it('takes over a lock left by a process that is gone (kill -9)', () => {
    const dir = fresh();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const stale: LockHolder = {
      pid: gone,
      purpose: 'server',
      host: os.hostname(),
      startTicks: null,
      bootId: null,
      since: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(stale));
    expect(dataDirHolder(dir)).toBeNull();
    const lock = acquireDataDirLock(dir, 'server');
    expect(holderFile(dir).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (started at another time)', () => {
    const dir = fresh();
    const me = acquireDataDirLock(dir, 'server');
    const recorded = holderFile(dir);
    me.release();
    // On Linux (where Linli runs) the start time tells a recycled pid from the holder.
    expect(recorded.startTicks).toMatch(/^\d+$/);
    fs.writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ ...recorded, startTicks: String(Number(recorded.startTicks) - 1) }),
    );
    expect(dataDirHolder(dir)).toBeNull();
    acquireDataDirLock(dir, 'server').release();
  });

  it('leaves a lock taken over by someone else in place on release', () => {
    const dir = fresh();
    const lock = acquireDataDirLock(dir, 'backup');
    const other = { ...holderFile(dir), pid: process.pid + 1_000_000 };
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(other));
    lock.release();
    expect(holderFile(dir).pid).toBe(other.pid);
  });
});
