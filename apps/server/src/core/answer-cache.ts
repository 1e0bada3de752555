/**
 * Whole answers to signed-in reads, kept per session for a couple of seconds: a page that is
 * opened again, polled or refreshed is sent without reading the database again (decision 19).
 *
 * Unlike the response cache (response-cache.ts), an answer here is served from inside the route
 * handler: the request has been through the whole pipeline (session, stage, permission), so a
 * revoked session or a lost permission is refused before the cache is looked at. Correctness rests
 * on three rules, the same as the session cache's:
 * - Every write this process makes bumps one counter, `writesHappened()`: after the handler of
 *   every request that is not a GET or HEAD (app.ts), and after each transaction of a scheduled
 *   job (the SLA sweep). Every answer older than the bump is dropped.
 * - A handler takes `writeGeneration()` before it reads and stores its answer only if the counter
 *   did not move meanwhile, so a read that raced a commit cannot keep the old state.
 * - An answer is used for `ANSWER_CACHE_TTL_MS` at most, of real time and of the app's clock
 *   alike. That bounds how stale a change made by *another* server process on the same
 *   PostgreSQL can be, and how late a flag computed from the clock (overdue) can turn; within
 *   this process the bump is immediate. (Under a test's fake clock, moving the clock on is time
 *   passing too.)
 *
 * Keys name the session, so an answer is only ever sent to the session it was built for.
 */

/** How long (real time) an answer is sent again before it is built afresh. */
export const ANSWER_CACHE_TTL_MS = 2_000;

let generation = 0;

/** Called after every write this process makes: drops every answer built before it. */
export function writesHappened() {
  generation++;
}

/** Take it before reading; hand it to `put`. */
export function writeGeneration(): number {
  return generation;
}

interface Answer {
  body: string;
  generation: number;
  /** `performance.now()` after which the answer is built afresh. */
  until: number;
  /** The app clock's time when it was built (epoch ms). */
  builtAt: number;
}

export class AnswerCache {
  private readonly entries = new Map<string, Answer>();
  hits = 0;
  /** Lookups that found nothing usable (the route then builds the answer). */
  misses = 0;

  constructor(
    /** The app's clock (epoch ms): `() => clock.now().getTime()`. */
    private readonly appNow: () => number,
    private readonly maxEntries = 2_000,
  ) {}

  /** The answer kept for `key` when no write happened since and it is younger than the TTL. */
  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    const age = this.appNow() - entry.builtAt;
    if (
      entry.generation !== generation ||
      performance.now() > entry.until ||
      age < 0 ||
      age > ANSWER_CACHE_TTL_MS
    ) {
      this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return entry.body;
  }

  /** Keeps an answer built from reads that began at `readFrom` (a `writeGeneration()`). */
  put(key: string, body: string, readFrom: number) {
    if (readFrom !== generation) return;
    this.entries.delete(key);
    this.entries.set(key, {
      body,
      generation: readFrom,
      until: performance.now() + ANSWER_CACHE_TTL_MS,
      builtAt: this.appNow(),
    });
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
}
