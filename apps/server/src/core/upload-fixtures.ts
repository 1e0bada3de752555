import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * Test helpers for uploads over a real socket: multipart bodies generated as they are sent (so a
 * test can offer a gigabyte without holding it), and a client that stops sending once the server
 * has answered, as browsers do.
 */

export interface StreamPart {
  name: string;
  /** A text field. */
  value?: string;
  /** A file: its name, declared type, and content (`data`, or `head` followed by zeros up to `size`). */
  filename?: string;
  type?: string;
  data?: Buffer;
  head?: Buffer;
  size?: number;
}

const ZEROS = Buffer.alloc(64 * 1024);
export const BOUNDARY = '----linli-stream-boundary-4Kq9Tz';

/** The body of a multipart request, generated chunk by chunk. */
export async function* multipartBody(parts: StreamPart[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    if (p.filename === undefined) {
      yield Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value ?? ''}\r\n`,
      );
      continue;
    }
    yield Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
        `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`,
    );
    if (p.data) yield p.data;
    else {
      const head = p.head ?? Buffer.alloc(0);
      yield head;
      let left = (p.size ?? head.length) - head.length;
      while (left > 0) {
        const n = Math.min(left, ZEROS.length);
        yield n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n);
        left -= n;
      }
    }
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${BOUNDARY}--\r\n`);
}

export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** A PDF of `size` bytes (a real header, then zeros): cheap to make, and never rewritten by the server. */
export const pdfOf = (name: string, filename: string, size: number): StreamPart => ({
  name,
  filename,
  type: 'application/pdf',
  head: Buffer.from('%PDF-1.4\n', 'latin1'),
  size,
});

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Body bytes written before the answer came (or all of them). */
  sent: number;
}

/**
 * POSTs a generated body with backpressure. Stops sending as soon as an answer arrives; with
 * `abortAfter` the client drops the connection after that many bytes, with `stallAfter` it
 * stops sending (and keeps the connection open) after that many bytes.
 */
export function postBody(
  url: string,
  headers: Record<string, string>,
  body: AsyncIterable<Buffer>,
  opts: { abortAfter?: number; stallAfter?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': MULTIPART_TYPE, 'transfer-encoding': 'chunked', ...headers },
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, sent });
        req.destroy();
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    (async () => {
      for await (const chunk of body) {
        if (answered || req.destroyed) return;
        if (opts.abortAfter !== undefined && sent + chunk.length > opts.abortAfter) {
          req.write(chunk.subarray(0, opts.abortAfter - sent));
          await new Promise((r) => setTimeout(r, 100));
          req.destroy();
          resolve({ status: 0, headers: {}, text: '', sent: opts.abortAfter });
          return;
        }
        if (opts.stallAfter !== undefined && sent + chunk.length > opts.stallAfter) {
          req.write(chunk.subarray(0, opts.stallAfter - sent));
          sent = opts.stallAfter;
          return; // never ends: the server has to give up on it
        }
        sent += chunk.length;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      if (!answered && !req.destroyed) req.end();
    })().catch(reject);
  });
}

/** Every file under `dir` (relative paths), recursively; none when it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

/** Waits (polling) until `check` holds, or fails after `ms`. */
export async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
