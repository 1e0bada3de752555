import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { uuidv7 } from './db/columns';
import { AppError } from './errors';
import { guardFormField } from './input-guard';
import { createMetadataStripper, NotWellFormedError } from './image-metadata';
import { type Reservation, quotaCrossed, reserveUpload, uploadLimitsFor } from './upload-quota';

/**
 * Uploads. A multipart request is read part by part and each file streams straight to a temp
 * file in the upload store (`<dataDir>/uploads/.tmp/`): its type is judged by its first bytes
 * (magic numbers, never the name or the declared type), its size counted as it arrives, photo
 * metadata (EXIF/GPS, XMP, …) stripped on the way (core/image-metadata.ts), and its sha256
 * computed over the bytes kept. No file is ever held whole in memory. The first check that fails
 * stops the request and removes everything it wrote. Each file reserves its room in the
 * account's daily quota before its bytes are stored (core/upload-quota.ts).
 *
 * The service that names the files in a row calls `storeFiles` before its transaction: each file
 * is fsynced, renamed to `uploads/<yyyy>/<mm>/<uuid>.<ext>`, and the directory fsynced, so the
 * file is on stable storage before the row that names it commits. Temp files nobody stored are
 * removed when the answer goes out (`registerUploads`). Downloads go through each module's own
 * authorised route, which calls `openStoredFile`.
 */

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 20;
/** Where files wait between arriving and being stored, inside the upload store (same file system). */
const TEMP_DIR = path.join('uploads', '.tmp');
/** Temp files older than this at start-up are leftovers of a crash. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export interface FileKind {
  mime: 'image/jpeg' | 'image/png' | 'application/pdf';
  ext: 'jpg' | 'png' | 'pdf';
}

/** The kind of a file by its first bytes: JPEG, PNG or PDF; null for anything else. */
export function sniffFile(data: Buffer): FileKind | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff)
    return { mime: 'image/jpeg', ext: 'jpg' };
  if (
    data.length >= 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return { mime: 'image/png', ext: 'png' };
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '%PDF-')
    return { mime: 'application/pdf', ext: 'pdf' };
  return null;
}

/** How many first bytes `sniffFile` needs to decide. */
const SNIFF_BYTES = 8;

/**
 * One file of a multipart request, received and checked, waiting in the upload store's temp
 * directory. Pass it to `storeFiles` to keep it; otherwise it is removed when the answer goes out.
 */
export interface ReceivedFile {
  filename: string;
  /** The label the client gave the file (`materialName` field sent before it), else the file name. */
  label: string;
  kind: FileKind;
  /** Bytes kept (after photo metadata was stripped) and their sha256. */
  size: number;
  sha256: string;
  /** Where `storeFiles` puts it, relative to the data directory: `uploads/<yyyy>/<mm>/<uuid>.<ext>`. */
  path: string;
  /** The temp file holding the bytes until then (absolute). */
  tempPath: string;
}

export interface MultipartForm {
  /** Each text field's value (the last one, when a field is sent more than once). */
  fields: Record<string, string>;
  /** Every value of each text field, in the order sent (for fields that carry a list). */
  lists: Record<string, string[]>;
  files: ReceivedFile[];
}

const fileField = (name: string) => `files/${name}`;

function fileTypeError(filename: string, what = 'is not a JPEG, PNG or PDF (checked by content)') {
  return new AppError(400, 'file-type', `"${filename}" ${what.replace(/ \(checked by content\)$/, '')}.`, {
    errors: [{ field: fileField(filename), message: what, code: 'file-type' }],
  });
}

function tooLargeError(filename: string, maxFileBytes: number) {
  return new AppError(
    413,
    'file-too-large',
    `"${filename}" is larger than ${maxFileBytes / 1024 / 1024} MB.`,
    {
      errors: [{ field: fileField(filename), message: 'is too large', code: 'file-too-large' }],
    },
  );
}

/** Temp files of a request that no service has stored yet; removed when its answer goes out. */
const pendingTemps = new WeakMap<FastifyRequest, string[]>();

/**
 * Reads a multipart/form-data request: text fields, and the parts named `fileFieldName`
 * streamed to the upload store one by one. Each file is paired with the `labelField` value sent
 * just before it (or, failing that, its file name). A file of the wrong type is a 400 naming it,
 * a file over `maxFileBytes` a 413 naming it, one file more than `maxFiles` a 400 naming it, a
 * file past the account's daily quota a 429 (`upload-quota`) naming it; each stops the request
 * at once and removes every file it wrote. The caller passes the files it keeps to `storeFiles`.
 */
export async function readMultipart(
  req: FastifyRequest,
  opts: { fileFieldName?: string; labelField?: string; maxFiles?: number; maxFileBytes?: number } = {},
): Promise<MultipartForm> {
  const fileFieldName = opts.fileFieldName ?? 'files';
  const labelField = opts.labelField ?? 'materialName';
  const maxFiles = opts.maxFiles ?? MAX_FILES;
  const maxFileBytes = opts.maxFileBytes ?? MAX_FILE_BYTES;
  if (!req.isMultipart()) {
    throw new AppError(415, 'unsupported-media-type', 'Send this request as multipart/form-data.');
  }
  const { config, database, clock } = req.server;
  const { actor } = req.ctx;
  if (!actor.accountId) throw AppError.unauthenticated();
  const account = {
    accountId: actor.accountId,
    limits: uploadLimitsFor(config, actor),
    purpose: `${req.method} ${req.routeOptions.url ?? req.url}`,
    requestId: req.id,
  };
  const temps: string[] = [];
  pendingTemps.set(req, temps);
  const fields: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const files: ReceivedFile[] = [];
  let pendingLabel: string | null = null;
  // A body that stops arriving is cut off (Fastify sets no request timeout): the parser then
  // fails, and the files written so far are removed below.
  const idle = setTimeout(() => {
    req.log.warn({ idleSeconds: config.uploadIdleSeconds }, 'upload stalled: closing the connection');
    req.raw.destroy();
  }, config.uploadIdleSeconds * 1000);
  const touch = () => idle.refresh();
  try {
    const parts = parseErrorsOf(() =>
      req.parts({
        limits: { fileSize: maxFileBytes, files: maxFiles + 1, fields: 50, fieldSize: 64 * 1024, parts: 200 },
      }),
    );
    for await (const part of parts) {
      touch();
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
        guardFormField(req, part.fieldname, value);
        if (part.fieldname === labelField) pendingLabel = value.trim();
        else {
          fields[part.fieldname] = value;
          lists[part.fieldname] = [...(lists[part.fieldname] ?? []), value];
        }
        continue;
      }
      const filename = (part.filename || 'file').slice(0, 200);
      if (part.fieldname !== fileFieldName && part.fieldname !== `${fileFieldName}[]`) {
        throw AppError.validation(
          [
            {
              field: fileField(filename),
              message: `files go in the "${fileFieldName}" field`,
              code: 'field',
            },
          ],
          `Unexpected file field "${part.fieldname}".`,
        );
      }
      if (files.length >= maxFiles) {
        throw new AppError(
          400,
          'too-many-files',
          `At most ${maxFiles} files; "${filename}" is one too many.`,
          {
            errors: [
              { field: fileField(filename), message: `more than ${maxFiles} files`, code: 'too-many-files' },
            ],
          },
        );
      }
      const now = clock.now();
      files.push(
        await receiveStream(
          parseErrorsOf(() => part.file),
          {
            dataDir: config.dataDir,
            filename,
            label: pendingLabel || filename,
            now,
            maxFileBytes,
            temps,
            touch,
            truncated: () => part.file.truncated,
            reserve: (file) =>
              reserveUpload(database.db, account, { ...file, field: fileField(filename), maxFileBytes }, now),
            overQuota: () => quotaCrossed(account.limits, fileField(filename), filename, now),
          },
        ),
      );
      pendingLabel = null;
    }
  } catch (err) {
    await removeFiles(temps.splice(0));
    discardRest(req, config.uploadIdleSeconds);
    throw err;
  } finally {
    clearTimeout(idle);
  }
  return { fields, lists, files };
}

/**
 * The multipart parser's own refusals (a truncated body, a malformed part header, no boundary)
 * carry no status: they are the client's mistake, a 400, not a 500. Limits keep their 413.
 */
export function malformed(err: unknown): unknown {
  if (err instanceof AppError || (err as { statusCode?: number }).statusCode) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new AppError(400, 'malformed-body', `The multipart body cannot be read: ${detail}.`);
}

/** The parser's parts (or a file's bytes), its errors turned into client errors (never the reader's). */
async function* parseErrorsOf<T>(open: () => AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* open();
  } catch (err) {
    throw malformed(err);
  }
}

/** At most this much of a refused body is read and thrown away; past it the connection is closed. */
const MAX_DISCARD_BYTES = (MAX_FILES + 1) * MAX_FILE_BYTES;

/**
 * After a refusal, the rest of the body is read and thrown away (not parsed, not stored), so the
 * client gets the answer on a connection that stays usable. A client that pauses longer than the
 * idle limit, or sends more than any upload could hold, has its connection closed.
 */
function discardRest(req: FastifyRequest, idleSeconds: number) {
  const raw = req.raw;
  if (raw.readableEnded || raw.destroyed) return;
  raw.unpipe();
  raw.removeAllListeners('data');
  let discarded = 0;
  const idle = setTimeout(() => raw.destroy(), idleSeconds * 1000);
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) raw.destroy();
    else idle.refresh();
  });
  raw.once('close', () => clearTimeout(idle));
  raw.once('end', () => clearTimeout(idle));
  raw.resume();
}

interface ReceiveOptions {
  dataDir: string;
  filename: string;
  label: string;
  now: Date;
  maxFileBytes: number;
  /** Every temp file created is added here at once, so a failure anywhere can remove it. */
  temps: string[];
  touch?: () => void;
  /** True once the parser has cut the file at `maxFileBytes`. */
  truncated?: () => boolean;
  /** Reserves quota for the file before its bytes are stored; absent outside requests (tests, scripts). */
  reserve?: (file: { path: string; mime: string }) => Promise<Reservation>;
  overQuota?: () => AppError;
}

async function receiveStream(source: AsyncIterable<Buffer>, o: ReceiveOptions): Promise<ReceivedFile> {
  const it = source[Symbol.asyncIterator]();
  // The first bytes decide the kind; they are held (a few bytes, or the first chunk) until then.
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
    o.touch?.();
  }
  const kind = sniffFile(Buffer.concat(head));
  if (!kind) throw fileTypeError(o.filename);

  const id = uuidv7();
  const yyyy = String(o.now.getUTCFullYear());
  const mm = String(o.now.getUTCMonth() + 1).padStart(2, '0');
  const rel = path.posix.join('uploads', yyyy, mm, `${id}.${kind.ext}`);
  const reservation = o.reserve ? await o.reserve({ path: rel, mime: kind.mime }) : null;
  const allowance = reservation?.allowance ?? o.maxFileBytes;

  const tempDir = path.join(o.dataDir, TEMP_DIR);
  await ensureTempDir(tempDir);
  const tempPath = path.join(tempDir, `${id}.${kind.ext}.part`);
  let received = 0;
  let size = 0;
  const hash = createHash('sha256');
  const stripper = createMetadataStripper(kind.mime);
  const fh = await fs.promises.open(tempPath, 'wx');
  o.temps.push(tempPath);
  try {
    const keep = async (bytes: Buffer[]) => {
      for (const b of bytes) hash.update(b);
      // One write per chunk received, whatever the stripper cut it into.
      const b = bytes.length === 1 ? bytes[0]! : Buffer.concat(bytes);
      size += b.length;
      if (b.length) await writeAll(fh, b);
    };
    const take = async (chunk: Buffer) => {
      received += chunk.length;
      if (received > allowance) {
        throw reservation?.byQuota && o.overQuota ? o.overQuota() : tooLargeError(o.filename, o.maxFileBytes);
      }
      if (o.truncated?.()) throw tooLargeError(o.filename, o.maxFileBytes);
      await keep(stripper ? stripper.write(chunk) : [chunk]);
    };
    try {
      for (const chunk of head) await take(chunk);
      if (!ended) {
        for (let next = await it.next(); !next.done; next = await it.next()) {
          o.touch?.();
          await take(next.value);
        }
      }
      if (o.truncated?.()) throw tooLargeError(o.filename, o.maxFileBytes);
      if (stripper) await keep(stripper.end());
    } catch (err) {
      if (err instanceof NotWellFormedError)
        throw fileTypeError(o.filename, `is not a well-formed ${err.format}`);
      throw err;
    }
  } catch (err) {
    // Stop reading this part: the parser then stops feeding it.
    await it.return?.();
    throw err;
  } finally {
    await fh.close();
    await reservation?.settle(received);
  }
  return {
    filename: o.filename,
    label: o.label,
    kind,
    size,
    sha256: hash.digest('hex'),
    path: rel,
    tempPath,
  };
}

async function writeAll(fh: fs.promises.FileHandle, b: Buffer) {
  let off = 0;
  while (off < b.length) {
    const { bytesWritten } = await fh.write(b, off, b.length - off);
    off += bytesWritten;
  }
}

const tempDirsMade = new Set<string>();
async function ensureTempDir(dir: string) {
  if (tempDirsMade.has(dir)) return;
  await fs.promises.mkdir(dir, { recursive: true });
  tempDirsMade.add(dir);
}

/**
 * Receives a file from bytes already at hand (scripts, tests) through the same checks and
 * stripping as an upload, without a quota. The result is stored with `storeFiles` as usual.
 */
export async function receiveFile(
  dataDir: string,
  data: Buffer | AsyncIterable<Buffer>,
  meta: { filename: string; label?: string; now?: Date; maxFileBytes?: number },
): Promise<ReceivedFile> {
  const temps: string[] = [];
  const source = Buffer.isBuffer(data)
    ? (async function* () {
        yield data;
      })()
    : data;
  try {
    return await receiveStream(source, {
      dataDir,
      filename: meta.filename,
      label: meta.label ?? meta.filename,
      now: meta.now ?? new Date(),
      maxFileBytes: meta.maxFileBytes ?? MAX_FILE_BYTES,
      temps,
    });
  } catch (err) {
    await removeFiles(temps);
    throw err;
  }
}

/** A file in the upload store. `path` is relative to the data directory. */
export interface StoredFile {
  path: string;
  sha256: string;
  size: number;
  mime: FileKind['mime'];
}

const durableDirs = new Set<string>();

async function fsyncPath(p: string) {
  const fh = await fs.promises.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes `dir`, and makes every directory entry it took durable (each new directory's parent fsynced). */
async function ensureDurableDir(dir: string) {
  if (durableDirs.has(dir)) return;
  const first = await fs.promises.mkdir(dir, { recursive: true });
  if (first) {
    const parents: string[] = [];
    for (let d = dir; ; d = path.dirname(d)) {
      parents.push(path.dirname(d));
      if (d === first || path.dirname(d) === d) break;
    }
    for (const p of parents) await fsyncPath(p);
  }
  durableDirs.add(dir);
}

/**
 * Keeps received files: each is fsynced, renamed to its place in the store, and the directory
 * fsynced, so the files are on stable storage before the caller commits the rows that name them.
 * All or nothing: on a failure the files already moved are removed and the error is thrown.
 */
export async function storeFiles(dataDir: string, files: readonly ReceivedFile[]): Promise<StoredFile[]> {
  const moved: string[] = [];
  try {
    await Promise.all(files.map((f) => syncFile(f.tempPath)));
    const dirs = new Set<string>();
    for (const f of files) {
      const abs = resolveStored(dataDir, f.path);
      await ensureDurableDir(path.dirname(abs));
      await fs.promises.rename(f.tempPath, abs);
      moved.push(f.path);
      dirs.add(path.dirname(abs));
    }
    for (const d of dirs) await fsyncPath(d);
  } catch (err) {
    await removeStoredFiles(dataDir, moved);
    throw err;
  }
  return files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, mime: f.kind.mime }));
}

async function syncFile(p: string) {
  const fh = await fs.promises.open(p, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Resolves a stored path inside the upload store (never outside it). */
function resolveStored(dataDir: string, rel: string): string {
  const root = path.resolve(dataDir, 'uploads');
  const abs = path.resolve(dataDir, rel);
  if (!abs.startsWith(root + path.sep)) throw new Error(`stored path outside the upload store: ${rel}`);
  return abs;
}

async function removeFiles(abs: string[]) {
  await Promise.all(abs.map((p) => fs.promises.rm(p, { force: true })));
}

/** Removes stored files (cleanup after a failed transaction); missing files are ignored. */
export async function removeStoredFiles(dataDir: string, rels: string[]): Promise<void> {
  await removeFiles(rels.map((r) => resolveStored(dataDir, r)));
}

/** A read stream of a stored file, for an authorised download route; 404 when it is gone. */
export function openStoredFile(dataDir: string, rel: string): fs.ReadStream {
  const abs = resolveStored(dataDir, rel);
  if (!fs.existsSync(abs)) throw AppError.notFound('file');
  return fs.createReadStream(abs);
}

/**
 * Route options for an upload route (`config.rateLimit`): at most `UPLOAD_REQUESTS_PER_MINUTE`
 * requests a minute per account (per process), checked after the session is known, answered
 * with 429 `rate-limited` and `Retry-After`.
 */
export function uploadRateLimit(config: Pick<Config, 'uploadRequestsPerMinute'>) {
  const max = config.uploadRequestsPerMinute;
  return {
    hook: 'preHandler' as const,
    max,
    timeWindow: '1 minute',
    keyGenerator: (req: FastifyRequest) => `upload:${req.ctx?.actor.accountId ?? req.ip}`,
    errorResponseBuilder: (_req: FastifyRequest, ctx: { ttl: number }) => {
      const wait = Math.max(1, Math.ceil(ctx.ttl / 1000));
      return AppError.rateLimited(
        wait,
        'rate-limited',
        `At most ${max} upload requests a minute per account; try again in ${wait} s.`,
      );
    },
  };
}

/**
 * The multipart parser with the outer limits every upload route stays within, the clean-up of
 * temp files a request left unstored (when its answer goes out, after the handler has finished),
 * and, at start-up, of temp files a crash left behind.
 */
export async function registerUploads(app: FastifyInstance, config: Pick<Config, 'dataDir'>) {
  await app.register(multipart, {
    limits: { fileSize: MAX_FILE_BYTES, files: MAX_FILES + 1, fields: 50, fieldSize: 64 * 1024, parts: 200 },
  });
  app.addHook('onSend', (req, _reply, payload, done) => {
    const temps = pendingTemps.get(req);
    if (!temps) return done(null, payload);
    pendingTemps.delete(req);
    removeFiles(temps).then(
      () => done(null, payload),
      (err) => {
        req.log.error({ err }, 'could not remove temp uploads');
        done(null, payload);
      },
    );
  });
  app.addHook('onReady', async () => {
    await sweepTempUploads(config.dataDir, STALE_TEMP_MS);
  });
}

/** Removes temp files older than `olderThanMs` (left by a process that died mid-upload). */
export async function sweepTempUploads(dataDir: string, olderThanMs: number, now = Date.now()) {
  const dir = path.join(dataDir, TEMP_DIR);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names.map(async (n) => {
      const p = path.join(dir, n);
      const st = await fs.promises.stat(p).catch(() => null);
      if (st?.isFile() && now - st.mtimeMs > olderThanMs) await fs.promises.rm(p, { force: true });
    }),
  );
}
