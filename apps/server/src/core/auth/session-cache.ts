import type { Actor } from '../context';
import type { SessionStage } from './sessions';

/**
 * Resolved sessions held in process memory, keyed by the token's SHA-256, so a signed-in request
 * does not pay the session query (session, account and grants in one statement) before its own.
 *
 * Correctness rests on three rules:
 * - Every write that changes what a session resolves to (sign-out, session revoke, password
 *   change or reset, account disable/enable, display name, role grants, org-unit status, path or
 *   name) calls `sessionsChanged()` after its transaction commits. That evicts the entries and
 *   bumps `generation`.
 * - A resolver stores what it read only if `generation` did not move while it was reading
 *   (`remember(…, generationAtStart)`), so a read that raced a commit cannot re-cache the old state.
 * - An entry is trusted for `SESSION_CACHE_TTL_MS` of real time at most. That bounds how stale a
 *   change made by *another* server process on the same PostgreSQL can be; in this process the
 *   eviction above is immediate.
 *
 * The idle and absolute expiry are checked against the entry's own times on every hit, and an
 * entry whose idle clock is due for its once-a-minute refresh is not used: the caller goes to the
 * database, which refreshes `lastSeenAt` as before.
 */

/** How long (real time) an entry is used before the session is read from the database again. */
export const SESSION_CACHE_TTL_MS = 5_000;
/** The most entries kept; the oldest go first. */
export const SESSION_CACHE_MAX = 10_000;

export interface CachedSession {
  /** The database it was read from: a process may hold several (tests), each with its own sessions. */
  source: object;
  sessionId: string;
  stage: SessionStage;
  /** Frozen: shared by every request that rides on this session. */
  actor: Actor;
  /** Epoch ms on the app clock, as stored in the row. */
  lastSeenAt: number;
  expiresAt: number;
  /** A resident who has not agreed to the privacy notice in force (evicted on consent and on publishing). */
  consentPending: boolean;
  /** `performance.now()` when it was read from the database (real time, not the app clock). */
  loadedAt: number;
}

const byToken = new Map<string, CachedSession & { accountId: string }>();
const byAccount = new Map<string, Set<string>>();
let generation = 0;
let orgTree = 0;
let hits = 0;
let misses = 0;

/** The current invalidation generation: take it before reading a session from the database. */
export function sessionGeneration(): number {
  return generation;
}

function drop(tokenHash: string) {
  const entry = byToken.get(tokenHash);
  if (!entry) return;
  byToken.delete(tokenHash);
  const set = byAccount.get(entry.accountId);
  if (set) {
    set.delete(tokenHash);
    if (set.size === 0) byAccount.delete(entry.accountId);
  }
}

/**
 * The cached session for a token hash when it may be used at `now` without the database: younger
 * than the TTL, not idle- or absolutely expired, and its idle clock not yet due for a refresh.
 */
export function cachedSession(
  source: object,
  tokenHash: string,
  now: number,
  idleMs: number,
  refreshMs: number,
): CachedSession | null {
  const entry = byToken.get(tokenHash);
  if (!entry) {
    misses++;
    return null;
  }
  const usable =
    entry.source === source &&
    performance.now() - entry.loadedAt < SESSION_CACHE_TTL_MS &&
    now < entry.expiresAt &&
    now <= entry.lastSeenAt + idleMs &&
    now - entry.lastSeenAt <= refreshMs;
  if (!usable) {
    drop(tokenHash);
    misses++;
    return null;
  }
  hits++;
  return entry;
}

/**
 * Stores a session read from the database, unless an invalidation happened since the reader took
 * `generationAtStart` (its rows may predate that change).
 */
export function rememberSession(
  tokenHash: string,
  entry: Omit<CachedSession, 'loadedAt'>,
  generationAtStart: number,
): void {
  if (generationAtStart !== generation) return;
  const accountId = entry.actor.accountId;
  if (!accountId) return;
  drop(tokenHash);
  if (byToken.size >= SESSION_CACHE_MAX) {
    const oldest = byToken.keys().next().value;
    if (oldest !== undefined) drop(oldest);
  }
  Object.freeze(entry.actor.grants);
  Object.freeze(entry.actor);
  byToken.set(tokenHash, { ...entry, accountId, loadedAt: performance.now() });
  const set = byAccount.get(accountId) ?? new Set<string>();
  set.add(tokenHash);
  byAccount.set(accountId, set);
}

/**
 * Something a session resolves to changed: one account's sessions, account row or grants, or
 * (`'all'`) the org tree every grant hangs on. Call it after the writing transaction commits
 * (calling it inside as well does no harm). The very next request re-reads the database.
 */
export function sessionsChanged(scope: { accountId: string | null | undefined } | 'all'): void {
  generation++;
  if (scope === 'all') {
    byToken.clear();
    byAccount.clear();
    return;
  }
  if (!scope.accountId) return;
  for (const tokenHash of [...(byAccount.get(canonicalUuid(scope.accountId)) ?? [])]) drop(tokenHash);
}

/** A uuid as PostgreSQL prints it (a route may pass it in upper case; the cache keys are as read). */
function canonicalUuid(id: string): string {
  const hex = id
    .toLowerCase()
    .replace(/^urn:uuid:/, '')
    .replace(/[^0-9a-f]/g, '');
  if (hex.length !== 32) return id.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The org tree changed (a unit created, renamed, moved, retired or reinstated): every session is
 * re-read (grants carry unit paths and need an active unit) and `orgTreeVersion()` moves, which
 * in-memory copies of org units (cases/ref-cache.ts) check. Call it after the commit.
 */
export function orgTreeChanged(): void {
  orgTree++;
  sessionsChanged('all');
}

/** Moves on every org-tree change in this process: caches of org units compare it. */
export function orgTreeVersion(): number {
  return orgTree;
}

/** Counters for tests and diagnostics. */
export function sessionCacheStats() {
  return { size: byToken.size, hits, misses, generation };
}
