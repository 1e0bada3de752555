import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { AppError } from './errors';
import { guardFormField } from './input-guard';

/**
 * Uploads: multipart reading with limits, type checking by content (magic bytes, never the
 * name or the declared type), and storage under `<dataDir>/uploads/<yyyy>/<mm>/<uuid>.<ext>`
 * with a sha256. Images are downscaled by the browser; the server only checks. Downloads go
 * through each module's own authorised route, which calls `openStoredFile`.
 */

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 20;

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

/** One file part of a multipart request, held in memory (at most MAX_FILE_BYTES). */
export interface ReceivedFile {
  filename: string;
  /** The label the client gave the file (`materialName` field sent before it), else the file name. */
  label: string;
  data: Buffer;
  kind: FileKind;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: ReceivedFile[];
}

const fileField = (name: string) => `files/${name}`;

/**
 * Reads a multipart/form-data request: text fields, and the parts named `fileFieldName`
 * checked one by one. Each file is paired with the `labelField` value sent just before it
 * (or, failing that, its file name). A file of the wrong type is a 400 naming it, a file over
 * `maxFileBytes` a 413 naming it, one file more than `maxFiles` a 400 naming it.
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
  const fields: Record<string, string> = {};
  const files: ReceivedFile[] = [];
  let pendingLabel: string | null = null;
  const parts = parseErrorsOf(() =>
    req.parts({
      limits: { fileSize: maxFileBytes, files: maxFiles + 1, fields: 50, fieldSize: 64 * 1024, parts: 200 },
    }),
  );
  for await (const part of parts) {
    if (part.type === 'field') {
      const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
      guardFormField(req, part.fieldname, value);
      if (part.fieldname === labelField) pendingLabel = value.trim();
      else fields[part.fieldname] = value;
      continue;
    }
    const filename = (part.filename || 'file').slice(0, 200);
    if (part.fieldname !== fileFieldName && part.fieldname !== `${fileFieldName}[]`) {
      throw AppError.validation(
        [{ field: fileField(filename), message: `files go in the "${fileFieldName}" field`, code: 'field' }],
        `Unexpected file field "${part.fieldname}".`,
      );
    }
    if (files.length >= maxFiles) {
      throw new AppError(400, 'too-many-files', `At most ${maxFiles} files; "${filename}" is one too many.`, {
        errors: [
          { field: fileField(filename), message: `more than ${maxFiles} files`, code: 'too-many-files' },
        ],
      });
    }
    let data: Buffer;
    try {
      data = await part.toBuffer();
    } catch (err) {
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
        throw new AppError(
          413,
          'file-too-large',
          `"${filename}" is larger than ${maxFileBytes / 1024 / 1024} MB.`,
          {
            errors: [{ field: fileField(filename), message: 'is too large', code: 'file-too-large' }],
          },
        );
      }
      throw malformed(err);
    }
    const kind = sniffFile(data);
    if (!kind) {
      throw new AppError(400, 'file-type', `"${filename}" is not a JPEG, PNG or PDF file.`, {
        errors: [
          {
            field: fileField(filename),
            message: 'is not a JPEG, PNG or PDF (checked by content)',
            code: 'file-type',
          },
        ],
      });
    }
    files.push({ filename, label: pendingLabel || filename, data, kind });
    pendingLabel = null;
  }
  return { fields, files };
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

/** The parts, with the parser's errors turned into client errors (never the loop body's). */
async function* parseErrorsOf<T>(open: () => AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* open();
  } catch (err) {
    throw malformed(err);
  }
}

/** A file written to the upload store. `path` is relative to the data directory. */
export interface StoredFile {
  path: string;
  sha256: string;
  size: number;
  mime: FileKind['mime'];
}

/** Writes a checked file under `<dataDir>/uploads/<yyyy>/<mm>/<uuid>.<ext>`. */
export async function storeFile(dataDir: string, file: ReceivedFile, now: Date): Promise<StoredFile> {
  const yyyy = String(now.getUTCFullYear());
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  const rel = path.posix.join('uploads', yyyy, mm, `${randomUUID()}.${file.kind.ext}`);
  const abs = path.join(dataDir, rel);
  await fs.promises.mkdir(path.dirname(abs), { recursive: true });
  await fs.promises.writeFile(abs, file.data, { flag: 'wx' });
  return {
    path: rel,
    sha256: createHash('sha256').update(file.data).digest('hex'),
    size: file.data.length,
    mime: file.kind.mime,
  };
}

/** Resolves a stored path inside the upload store (never outside it). */
function resolveStored(dataDir: string, rel: string): string {
  const root = path.resolve(dataDir, 'uploads');
  const abs = path.resolve(dataDir, rel);
  if (!abs.startsWith(root + path.sep)) throw new Error(`stored path outside the upload store: ${rel}`);
  return abs;
}

/** Removes stored files (cleanup after a failed transaction); missing files are ignored. */
export async function removeStoredFiles(dataDir: string, rels: string[]): Promise<void> {
  await Promise.all(rels.map((r) => fs.promises.rm(resolveStored(dataDir, r), { force: true })));
}

/** A read stream of a stored file, for an authorised download route; 404 when it is gone. */
export function openStoredFile(dataDir: string, rel: string): fs.ReadStream {
  const abs = resolveStored(dataDir, rel);
  if (!fs.existsSync(abs)) throw AppError.notFound('file');
  return fs.createReadStream(abs);
}
