import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * Commits on the embedded database that survive a power cut (decision 20).
 *
 * PGlite runs PostgreSQL with `-F` (fsync off), and its Emscripten file layer turns `fdatasync`
 * into a no-op and has no `fsync` for host files: traced with strace, 20 acknowledged reports made
 * 0 fsync calls. A commit was in the OS page cache, which a process crash keeps and a power cut or
 * kernel crash does not.
 *
 * What this does instead:
 * - PostgreSQL runs with fsync on, and the host filesystem's `fsync` is real (it calls
 *   `fs.fsyncSync` on the host file). So checkpoints sync the data files and directories before
 *   they recycle WAL, as on a server. These are rare in one process (at `max_wal_size` and at
 *   shutdown).
 * - The commit itself writes its WAL to the host file (a plain write, as before), and the file
 *   layer notes which WAL segment was written. Before a write request is acknowledged, the server
 *   awaits `syncWal()`, which `fdatasync`s the written segments on libuv's thread pool — off the one
 *   thread PGlite runs on, so other requests go on meanwhile, and one sync covers every commit that
 *   happened before it started (group commit).
 */
export class WalSync {
  private dirty = new Set<string>();
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** Completed sync rounds that had something to sync, and the files the last one synced (tests, bench). */
  rounds = 0;
  lastFiles: string[] = [];

  /** Called by the file layer when a WAL segment is written. */
  markDirty(file: string) {
    this.dirty.add(file);
  }

  /**
   * Resolves once every WAL write made before the call is on stable storage. A round already
   * under way may have listed its files before the caller's commit, so the caller then waits for
   * the next round, which every caller arriving meanwhile shares.
   */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.round().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running.then(
        () => this.startQueued(),
        () => this.startQueued(),
      );
    }
    return this.queued;
  }

  private startQueued(): Promise<void> {
    this.queued = null;
    return this.sync();
  }

  private async round(): Promise<void> {
    if (this.dirty.size === 0) return;
    const files = [...this.dirty];
    this.dirty.clear();
    try {
      await Promise.all(files.map(syncFile));
      this.rounds++;
      this.lastFiles = files;
    } catch (err) {
      // Not known to be on disk: keep them for the next round, and fail this acknowledgement.
      for (const f of files) this.dirty.add(f);
      throw err;
    }
  }
}

async function syncFile(file: string) {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    // A segment PostgreSQL removed after a checkpoint: its contents are in synced data files.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

interface EmscriptenStream {
  nfd: number;
  node: unknown;
  /** Host path of a WAL segment this stream writes, null for any other file (cached per stream). */
  linliWal?: string | null;
}

interface NodeFsModule {
  NODEFS: {
    realPath(node: unknown): string;
    stream_ops: {
      write(stream: EmscriptenStream, ...rest: unknown[]): number;
      fsync?: (stream: EmscriptenStream) => number;
    };
  };
}

const WAL_SEGMENT = /[/\\]pg_wal[/\\][0-9A-F]{24}$/;

/** PGlite's NodeFS with a real fsync and WAL write tracking for `WalSync`. */
class DurableNodeFS extends NodeFS {
  constructor(
    dataDir: string,
    private readonly walSync: WalSync,
  ) {
    super(dataDir);
  }

  override async init(...args: Parameters<NodeFS['init']>) {
    const result = await super.init(...args);
    const opts = result.emscriptenOpts as { preRun: ((mod: NodeFsModule) => void)[] };
    const walSync = this.walSync;
    // Before NodeFS's own preRun mounts the directory, so every stream uses these operations.
    opts.preRun.unshift((mod) => {
      const nodefs = mod.NODEFS;
      const ops = nodefs.stream_ops;
      const write = ops.write;
      ops.write = (stream, ...rest) => {
        const written = write(stream, ...rest);
        if (stream.linliWal === undefined) {
          const host = nodefs.realPath(stream.node);
          stream.linliWal = WAL_SEGMENT.test(host) ? host : null;
        }
        if (stream.linliWal) walSync.markDirty(stream.linliWal);
        return written;
      };
      ops.fsync = (stream) => {
        fs.fsyncSync(stream.nfd);
        return 0;
      };
    });
    return result;
  }
}

/**
 * Opens (creating if needed) the embedded database under `dir` with durable commits; with
 * `loadDataDir`, a dump is unpacked into the empty `dir` first (restore, test copies).
 */
export function openDurablePglite(dir: string, loadDataDir?: Blob): { client: PGlite; walSync: WalSync } {
  fs.mkdirSync(dir, { recursive: true });
  const walSync = new WalSync();
  const client = new PGlite({
    loadDataDir,
    fs: new DurableNodeFS(path.resolve(dir), walSync),
    // PGlite's defaults with `-F` (fsync off) taken out.
    startParams: [...PGlite.defaultStartParams.filter((p) => p !== '-F'), '-c', 'fsync=on'],
  });
  return { client, walSync };
}
