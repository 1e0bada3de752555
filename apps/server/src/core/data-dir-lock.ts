import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One process at a time on an embedded database. PGlite keeps no lock of its own (a second
 * `new PGlite(dir)` opens the same files and both write to them), so whoever opens
 * `DATA_DIR/pglite` — the server, `npm run backup`, `npm run restore`, `npm run audit:verify` —
 * first creates `DATA_DIR/linli.lock` naming itself, and removes it when done. A lock left behind
 * by a process that is gone (`kill -9`, a power cut) is taken over: on Linux the holder is
 * identified by pid, process start time and boot id, so a recycled pid does not keep it alive.
 */

export const LOCK_FILE = 'linli.lock';

export interface LockHolder {
  pid: number;
  /** What the holder is doing: `server`, `backup`, `restore`, `audit:verify`. */
  purpose: string;
  host: string;
  /** /proc/<pid>/stat start time (clock ticks since boot), Linux only. */
  startTicks: string | null;
  bootId: string | null;
  since: string;
}

/** DATA_DIR is held by another live process. */
export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const who = holder.purpose === 'server' ? 'a running Linli server' : `npm run ${holder.purpose}`;
    super(
      `${dataDir} is in use by ${who} (pid ${holder.pid} on ${holder.host}, since ${holder.since}); ` +
        `its lock is ${path.join(dataDir, LOCK_FILE)}`,
    );
    this.name = 'DataDirBusyError';
  }
}

function readOr(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat (start time); the command name before it may contain spaces. */
function startTicksOf(pid: number): string | null {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

function holderNow(purpose: string): LockHolder {
  return {
    pid: process.pid,
    purpose,
    host: os.hostname(),
    startTicks: startTicksOf(process.pid),
    bootId: readOr('/proc/sys/kernel/random/boot_id'),
    since: new Date().toISOString(),
  };
}

/** True unless the holder is provably gone. A holder on another host cannot be checked: alive. */
export function holderAlive(h: LockHolder): boolean {
  if (h.host !== os.hostname()) return true;
  const bootId = readOr('/proc/sys/kernel/random/boot_id');
  if (h.bootId && bootId && h.bootId !== bootId) return false;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const ticks = startTicksOf(h.pid);
  if (h.startTicks && ticks && h.startTicks !== ticks) return false;
  return true;
}

/** The live holder of DATA_DIR's lock, or null when there is none (or only a stale one). */
export function dataDirHolder(dataDir: string): LockHolder | null {
  const text = readOr(path.join(dataDir, LOCK_FILE));
  if (text === null) return null;
  try {
    const h = JSON.parse(text) as LockHolder;
    return holderAlive(h) ? h : null;
  } catch {
    return null;
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Takes DATA_DIR's lock for this process, or throws DataDirBusyError naming the live holder.
 * Released by `release()` and, failing that, when the process exits.
 */
export function acquireDataDirLock(dataDir: string, purpose: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const me = holderNow(purpose);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const text = readOr(file);
      let holder: LockHolder | null = null;
      try {
        holder = text ? (JSON.parse(text) as LockHolder) : null;
      } catch {}
      // An unreadable lock is either half-written this instant or left by a crash mid-write.
      if (!holder) {
        const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
        if (age < 5000) throw new DataDirBusyError(dataDir, { ...me, pid: 0, purpose: 'unknown' });
      } else if (holderAlive(holder)) {
        throw new DataDirBusyError(dataDir, holder);
      }
      fs.rmSync(file, { force: true });
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Only our own lock: a stale-lock takeover by another process must not be undone.
    const text = readOr(file);
    try {
      if (text && (JSON.parse(text) as LockHolder).pid === me.pid) fs.rmSync(file, { force: true });
    } catch {}
  };
  process.on('exit', release);
  return { release };
}
