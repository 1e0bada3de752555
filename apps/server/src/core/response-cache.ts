import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** A whole 200 answer, as the framework sent it the first time, and how to tell it still holds. */
export interface CachedAnswer {
  /** Every header but the request id (each answer gets its own). */
  headers: OutgoingHttpHeaders;
  body: string;
  /** False once the data the answer came from has changed: the entry is dropped and rebuilt. */
  fresh: () => boolean;
}

const MAX_URL_LENGTH = 1024;

/** An entry as it is sent: one flat header list (slot 1 takes the request id) and the body's bytes. */
interface Entry {
  head: (string | number)[];
  body: Buffer;
  fresh: () => boolean;
}

/**
 * A micro-cache of whole HTTP answers, in front of the framework: a reverse proxy's cache kept
 * inside the process, for the one public answer that is the same for every caller and asked
 * thousands of times a minute (the service-guide search box).
 *
 * What may go in (decision 16 in docs/decisions.md):
 * - only what a route handler puts in after the full pipeline ran once: the query was validated,
 *   the security headers were written, the route is `public`;
 * - answers to a GET without a cookie: a signed-in caller always takes the normal path, so no
 *   answer that could depend on a session is ever replayed;
 * - each entry carries `fresh()`, so an answer from a replaced catalogue is never served.
 *
 * Served answers get their own request id and are counted (`hits`); they are not access-logged.
 * An answer a route had to build and handed in is a miss (`misses`): `/metrics` reports both.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private enabled = true;
  hits = 0;
  misses = 0;

  constructor(
    private readonly requestId: (req: IncomingMessage) => string,
    private readonly maxEntries = 4000,
  ) {}

  /** Answers `req` from the cache and returns true, or returns false for the framework to handle. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.enabled || req.method !== 'GET' || req.headers.cookie !== undefined) return false;
    const url = req.url;
    if (url === undefined) return false;
    const entry = this.entries.get(url);
    if (entry === undefined) return false;
    if (!entry.fresh()) {
      this.entries.delete(url);
      return false;
    }
    // A flat list handed to writeHead alone is written as it is: no header map is built, and
    // node validates each pair once. The list is consumed before writeHead returns, so the
    // entry's own list can carry this request's id.
    entry.head[1] = this.requestId(req);
    res.writeHead(200, entry.head);
    res.end(entry.body);
    this.hits++;
    return true;
  }

  /** Keeps a 200 answer for its exact URL (oldest entries go first when full). */
  put(url: string, answer: CachedAnswer) {
    this.misses++;
    if (!this.enabled || url.length > MAX_URL_LENGTH) return;
    const head: (string | number)[] = ['x-request-id', ''];
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) head.push(name, v);
      else head.push(name, value as string | number);
    }
    this.entries.delete(url);
    this.entries.set(url, { head, body: Buffer.from(answer.body), fresh: answer.fresh });
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  get size() {
    return this.entries.size;
  }

  /** Hits and misses so far (core/metrics.ts). */
  counts() {
    return { hits: this.hits, misses: this.misses };
  }

  clear() {
    this.entries.clear();
  }

  /** From shutdown on, every request goes through the framework (which answers `Connection: close`). */
  disable() {
    this.enabled = false;
    this.entries.clear();
  }
}

/** Copies what the framework would send, minus the per-request id, for `ResponseCache.put`. */
export function answerHeaders(
  headers: Record<string, string | number | readonly string[] | undefined>,
  contentType: string,
  body: string,
): OutgoingHttpHeaders {
  const out = { ...headers } as OutgoingHttpHeaders;
  delete out['x-request-id'];
  out['content-type'] = contentType;
  out['content-length'] = Buffer.byteLength(body);
  return out;
}
