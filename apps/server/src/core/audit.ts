import { createHash } from 'node:crypto';
import { and, asc, desc, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import { checkDeclared } from './audit-catalogue';
import { bulkInsert } from './db/bulk';
import type { Db, Executor } from './db/client';
import type { RequestContext } from './context';
import type { JobDefinition } from './jobs/types';
import { auditChainHeads, auditLog } from './schema';
import { maskPhone } from '@linli/contracts';

export const GENESIS_HASH = '0'.repeat(64);

/** Fields never written to the audit trail in clear. */
const REDACTED = new Set(['passwordHash', 'password', 'totpSecret', 'tokenHash', 'codeHash', 'code']);
const PHONE_FIELDS = new Set(['phone', 'mobile', 'contactPhone']);
const ID_FIELDS = new Set(['idNumber', 'idCard']);

function maskValue(field: string, value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (REDACTED.has(field)) return '[redacted]';
  if (PHONE_FIELDS.has(field) && typeof value === 'string') return maskPhone(value);
  if (ID_FIELDS.has(field) && typeof value === 'string')
    return `${value.slice(0, 6)}********${value.slice(-4)}`;
  return value;
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return null;
  return value;
}

/** `{ field: { before, after } }` for every field that differs, personal data masked. */
export function diff(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): Record<string, { before: unknown; after: unknown }> {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const k of [...keys].sort()) {
    if (k === 'updatedAt') continue;
    const b = normalise(before?.[k]);
    const a = normalise(after?.[k]);
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    out[k] = { before: maskValue(k, b), after: maskValue(k, a) };
  }
  return out;
}

/** JSON with object keys sorted at every depth: jsonb does not keep key order, the hash must not care. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export interface AuditRowForHash {
  id: number;
  districtId: string | null;
  at: Date;
  actorId: string | null;
  actingForId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  orgUnitId: string | null;
  changes: unknown;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Null only for rows linked before the linker existed (their hash does not cover it). */
  linkSeq: number | null;
  prevHash: string;
}

export function hashRow(r: AuditRowForHash): string {
  const fields: unknown[] = [
    r.id,
    r.districtId,
    r.at.toISOString(),
    r.actorId,
    r.actingForId,
    r.action,
    r.entityType,
    r.entityId,
    r.orgUnitId,
    r.changes,
    r.requestId,
    r.ip,
    r.userAgent,
    r.prevHash,
  ];
  // Rows linked by the linker also commit to their position; the earlier chain's hashes did not.
  if (r.linkSeq !== null) fields.push(r.linkSeq);
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string | null;
  orgUnitId?: string | null;
  districtId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** Extra facts that are not field changes (a reason, a count); stored under `_`. */
  note?: Record<string, unknown>;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

type Changes = Record<string, { before: unknown; after: unknown }>;

function changesOf(input: AuditInput): Changes {
  const changes: Record<string, unknown> = diff(input.before ?? null, input.after ?? null);
  if (input.note) changes._ = { before: null, after: input.note };
  return changes as Changes;
}

/**
 * Under test, an action, entity type or changed field no manifest declares (core/audit-catalogue.ts)
 * is refused, so the console never shows a raw code; in production nothing is checked.
 */
function assertDeclared(input: AuditInput): void {
  const fields = new Set([...Object.keys(input.before ?? {}), ...Object.keys(input.after ?? {})]);
  fields.delete('updatedAt');
  checkDeclared(input.action, input.entityType, fields);
}

/**
 * Appends one audit row inside the caller's transaction: one INSERT, no lock, no read. The row is
 * unlinked (no position or hashes yet); `core.linkAudit` links it into its district's chain
 * within seconds of the commit (see linkAuditChain).
 */
export async function writeAudit(tx: Executor, ctx: RequestContext, input: AuditInput): Promise<void> {
  assertDeclared(input);
  await tx.insert(auditLog).values({
    districtId: input.districtId ?? ctx.actor.districtId ?? null,
    at: new Date(),
    actorId: ctx.actor.accountId,
    actingForId: ctx.actingForId ?? null,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    orgUnitId: input.orgUnitId ?? null,
    changes: changesOf(input),
    requestId: ctx.requestId,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
  });
}

/** One row of `writeAuditBatch`: who acted and when, besides what `writeAudit` takes. */
export interface AuditBatchEntry extends AuditInput {
  at: Date;
  actorId: string | null;
  actingForId?: string | null;
}

/**
 * Appends many audit rows at once inside the caller's transaction, unlinked like writeAudit's,
 * with ids rising in the order given (sort by `at` first for a chain that reads in time order):
 * the linker links by id, so they join the chain in that order once the transaction commits.
 * For records written in bulk (the demo history, imports) that happened at `at` by `actorId`;
 * `requestId` names the batch so these rows can be told from those of requests.
 */
export async function writeAuditBatch(
  tx: Executor,
  entries: readonly AuditBatchEntry[],
  requestId: string,
): Promise<number> {
  if (entries.length === 0) return 0;
  for (const e of entries) assertDeclared(e);
  // n ids from the sequence in one statement; other writers may take ids in between, so sort.
  const ids = rowsOf<{ id: string | number }>(
    await tx.execute(
      sql`SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id FROM generate_series(1, ${entries.length})`,
    ),
  )
    .map((r) => Number(r.id))
    .sort((a, b) => a - b);
  const rows = entries.map((e, i) => ({
    id: ids[i]!,
    districtId: e.districtId ?? null,
    at: e.at,
    actorId: e.actorId,
    actingForId: e.actingForId ?? null,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    orgUnitId: e.orgUnitId ?? null,
    changes: changesOf(e),
    requestId,
    ip: null,
    userAgent: null,
  }));
  await bulkInsert(tx, auditLog, rows);
  return rows.length;
}

/** The advisory lock linkers take, so two processes never link at once (requests never take it). */
const LINK_LOCK = 7315002;
/**
 * Rows linked per transaction: short enough that PGlite's one connection serves requests in
 * between (2,000 rows took 0.6 s on PGlite on a 2-core machine at load 19: a third reading the
 * rows, a sixth hashing them, half the UPDATE).
 */
export const LINK_BATCH = 1000;
/** Rows one run of core.linkAudit links at most; a backlog (a bulk load) goes on at the next slot. */
export const LINK_PER_RUN = 20 * LINK_BATCH;

/**
 * Links committed, unlinked audit rows into the chain, in batches of `batch` rows, each batch
 * one short transaction under an advisory lock (linkers only; the request path takes none):
 *
 * - the batch is the unlinked rows this transaction sees, lowest id first. Every row it sees has
 *   committed; a row whose transaction commits later (even one with a lower id) is simply not
 *   seen now and is linked by a later batch. Link order is therefore the order in which rows'
 *   commits became visible to the linker, and it is recorded, not inferred: `link_seq` numbers
 *   the linked rows 1, 2, 3 … across the deployment with no gaps;
 * - `prev_hash` is the hash of the previous linked row of the same district (the first row of a
 *   district links to the head of the chain from before the linker, or to the genesis hash);
 * - `hash` covers the row, its `link_seq` and its `prev_hash` (hashRow).
 *
 * Linking only ever appends (a row is linked once, after every row linked before it), so the
 * chain never has to be rewritten, whatever order transactions commit in. Safe to run again
 * after a crash: a batch commits whole or not at all.
 */
export async function linkAuditChain(
  db: Db,
  opts: { batch?: number; maxRows?: number; signal?: AbortSignal } = {},
): Promise<{ linked: number; more: boolean }> {
  const batch = opts.batch ?? LINK_BATCH;
  const maxRows = opts.maxRows ?? Number.POSITIVE_INFINITY;
  let linked = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (linked >= maxRows) return { linked, more: true };
    const n = await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${LINK_LOCK})`);
      const rows = await tx
        .select()
        .from(auditLog)
        .where(isNull(auditLog.hash))
        .orderBy(asc(auditLog.id))
        .limit(batch);
      if (rows.length === 0) return 0;
      // Every chain's head (a row per district: few), and the newest position across them.
      const stored = await tx.select().from(auditChainHeads);
      let seq = stored.reduce((m, h) => Math.max(m, h.linkSeq), 0);
      const heads = new Map<string, string>(stored.map((h) => [h.chain, h.hash]));
      const touched = new Map<string, { linkSeq: number; auditId: number; hash: string }>();
      let earlierHead: string | undefined;
      const updates: { id: number; link_seq: number; prev_hash: string; hash: string }[] = [];
      for (const r of rows) {
        const chain = chainOf(r.districtId);
        // A district's first linked row continues the chain from before the linker, if any.
        if (!heads.has(chain) && earlierHead === undefined) earlierHead = await earlierChainHead(tx);
        const prevHash = heads.get(chain) ?? earlierHead!;
        const linkSeq = ++seq;
        const hash = hashRow({ ...r, linkSeq, prevHash });
        heads.set(chain, hash);
        touched.set(chain, { linkSeq, auditId: r.id, hash });
        updates.push({ id: r.id, link_seq: linkSeq, prev_hash: prevHash, hash });
      }
      const done = await tx.execute(sql`
        UPDATE audit_log a SET link_seq = v.link_seq, prev_hash = v.prev_hash, hash = v.hash
        FROM json_to_recordset(${JSON.stringify(updates)}::json) AS v(id bigint, link_seq bigint, prev_hash text, hash text)
        WHERE a.id = v.id AND a.hash IS NULL
        RETURNING a.id`);
      if (rowsOf(done).length !== rows.length)
        throw new Error('audit chain: rows changed while being linked; the batch was rolled back');
      await tx
        .insert(auditChainHeads)
        .values([...touched].map(([chain, h]) => ({ chain, ...h })))
        .onConflictDoUpdate({
          target: auditChainHeads.chain,
          set: {
            linkSeq: sql`excluded.link_seq`,
            auditId: sql`excluded.audit_id`,
            hash: sql`excluded.hash`,
          },
        });
      return rows.length;
    });
    linked += n;
    if (n < batch) return { linked, more: false };
  }
}

/** The key of a district's chain in audit_chain_heads ('' for rows of no district). */
const chainOf = (districtId: string | null) => districtId ?? '';

/** The last row of the chain written before the linker (link_seq null, hash set), or genesis. */
async function earlierChainHead(tx: Executor): Promise<string> {
  const [row] = await tx
    .select({ hash: auditLog.hash })
    .from(auditLog)
    .where(and(isNull(auditLog.linkSeq), isNotNull(auditLog.hash)))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row?.hash ?? GENESIS_HASH;
}

/** How often `core.linkAudit` runs: an audit row is linked within about this long of its commit. */
export const AUDIT_LINK_EVERY_MS = 2000;
/** Finished runs of `core.linkAudit` kept for the console (one every 2 s would be 43,200 a day). */
export const AUDIT_LINK_KEEP_DONE = 20;

/** Core's job: links the unlinked audit rows, every AUDIT_LINK_EVERY_MS (added in app.ts). */
export const linkAuditDefinition: JobDefinition = {
  name: 'core.linkAudit',
  schedule: { every: AUDIT_LINK_EVERY_MS },
  keepDone: AUDIT_LINK_KEEP_DONE,
  async run(ctx) {
    return linkAuditChain(ctx.db, { maxRows: LINK_PER_RUN, signal: ctx.signal });
  },
};

export interface ChainReport {
  ok: boolean;
  /** Linked rows whose links and hashes were checked (the earlier chain's included). */
  checked: number;
  /** Of those, rows of the chain written before the linker (one chain, in id order). */
  earlier: number;
  /** The first row whose links or hash do not hold. */
  firstBad: { id: number; reason: string } | null;
  /** Each district's chain: rows linked, its newest link position and hash (note them to compare later). */
  heads: { districtId: string | null; linked: number; linkSeq: number; hash: string }[];
  /** Rows not linked yet, per district, and the oldest one's time: the linker's backlog. */
  unlinked: { districtId: string | null; rows: number; oldestAt: Date }[];
}

const REMOVED = 'previous-hash link broken (a row was removed or reordered)';
const CHANGED = 'row content does not match its hash (changed)';

/**
 * Checks the linked part of the audit trail and reports the unlinked tail. First the chain from
 * before the linker (rows with a hash but no link position) in id order, then every linked row in
 * link order: positions must run 1, 2, 3 … without a gap (a removed row leaves one), each row's
 * `prev_hash` must be the hash of its district's previous linked row (a removed or reordered row
 * breaks it), and its hash must match its content (a changed row). Names the first row that fails.
 * Removing the newest linked rows leaves no trace inside the chain: compare `heads` with a copy
 * noted earlier (audit:verify prints them).
 */
export async function verifyAuditChain(db: Executor, batch = 2000): Promise<ChainReport> {
  const unlinked = rowsOf<{ district_id: string | null; rows: string | number; oldest: string | Date }>(
    await db.execute(sql`
      SELECT district_id, count(*) AS rows, min(at) AS oldest FROM audit_log WHERE hash IS NULL
      GROUP BY district_id ORDER BY district_id NULLS FIRST`),
  ).map((r) => ({ districtId: r.district_id, rows: Number(r.rows), oldestAt: new Date(r.oldest) }));
  const report = (
    checked: number,
    earlier: number,
    firstBad: ChainReport['firstBad'],
    heads: ChainReport['heads'],
  ) => ({ ok: firstBad === null, checked, earlier, firstBad, heads, unlinked }) satisfies ChainReport;

  // The chain from before the linker: one chain in id order, as it was written.
  let prev = GENESIS_HASH;
  let after = 0;
  let earlier = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(isNull(auditLog.linkSeq), isNotNull(auditLog.hash), gt(auditLog.id, after)))
      .orderBy(asc(auditLog.id))
      .limit(batch);
    for (const r of rows) {
      const bad = check(r, prev);
      if (bad) return report(earlier, earlier, { id: r.id, reason: bad }, []);
      prev = r.hash!;
      after = r.id;
      earlier++;
    }
    if (rows.length < batch) break;
  }

  // The linked rows, in link order; each district's chain starts from the earlier chain's head.
  const heads = new Map<string | null, { linked: number; linkSeq: number; hash: string; id: number }>();
  const list = () => [...heads].map(([districtId, { id: _, ...h }]) => ({ districtId, ...h }));
  let checked = earlier;
  let seq = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.linkSeq, seq))
      .orderBy(asc(auditLog.linkSeq))
      .limit(batch);
    for (const r of rows) {
      if (r.linkSeq !== seq + 1)
        return report(
          checked,
          earlier,
          { id: r.id, reason: `${REMOVED}: link position ${seq + 1} is missing` },
          list(),
        );
      const head = heads.get(r.districtId);
      const bad = check(r, head?.hash ?? prev);
      if (bad) return report(checked, earlier, { id: r.id, reason: bad }, list());
      heads.set(r.districtId, {
        linked: (head?.linked ?? 0) + 1,
        linkSeq: r.linkSeq,
        hash: r.hash!,
        id: r.id,
      });
      seq = r.linkSeq;
      checked++;
    }
    if (rows.length < batch) break;
  }
  // Each chain must end where the linker last left it: its newest rows removed leave no gap inside.
  for (const stored of await db.select().from(auditChainHeads)) {
    const found = heads.get(stored.chain === '' ? null : stored.chain);
    if (found?.linkSeq !== stored.linkSeq || found.hash !== stored.hash)
      return report(
        checked,
        earlier,
        {
          id: found?.id ?? stored.auditId,
          reason: `the chain ends before its recorded head, row ${stored.auditId} at link position ${stored.linkSeq} (its newest rows were removed)`,
        },
        list(),
      );
  }
  return report(checked, earlier, null, list());
}

/** Why a linked row does not hold given the hash its link should name, or null when it does. */
function check(r: typeof auditLog.$inferSelect, expectedPrev: string): string | null {
  if (r.prevHash === null || r.hash === null) return CHANGED;
  if (r.prevHash !== expectedPrev) return REMOVED;
  if (hashRow({ ...r, prevHash: r.prevHash }) !== r.hash) return CHANGED;
  return null;
}
