import { createHash } from 'node:crypto';
import { asc, desc, gt, sql } from 'drizzle-orm';
import { bulkInsert } from './db/bulk';
import type { Executor } from './db/client';
import type { RequestContext } from './context';
import { auditLog } from './schema';
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
  prevHash: string;
}

export function hashRow(r: AuditRowForHash): string {
  const material = canonicalJson([
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
  ]);
  return createHash('sha256').update(material).digest('hex');
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

/**
 * Appends one audit row inside the caller's transaction. The chain needs one writer at a
 * time, so this takes a transaction-level advisory lock: call it as the last write of the
 * transaction to keep the lock short.
 */
export async function writeAudit(tx: Executor, ctx: RequestContext, input: AuditInput): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(7315002)`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const next = rowsOf<{ id: string | number }>(
    await tx.execute(sql`SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id`),
  );
  const changes: Record<string, unknown> = diff(input.before ?? null, input.after ?? null);
  if (input.note) changes._ = { before: null, after: input.note };
  const row: AuditRowForHash = {
    id: Number(next[0]!.id),
    districtId: input.districtId ?? ctx.actor.districtId ?? null,
    at: new Date(),
    actorId: ctx.actor.accountId,
    actingForId: ctx.actingForId ?? null,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    orgUnitId: input.orgUnitId ?? null,
    changes,
    requestId: ctx.requestId,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await tx.insert(auditLog).values({
    ...row,
    changes: row.changes as Record<string, { before: unknown; after: unknown }>,
    hash: hashRow(row),
  });
}

/** One row of `writeAuditBatch`: who acted and when, besides what `writeAudit` takes. */
export interface AuditBatchEntry extends AuditInput {
  at: Date;
  actorId: string | null;
  actingForId?: string | null;
}

/**
 * Appends many audit rows at once inside the caller's transaction, linked into the chain in the
 * order given (sort by `at` first for a chain that reads in time order): one lock, one read of
 * the last hash, one reservation of ids, the hashes computed here, the rows inserted in bulk.
 * For records written in bulk (the demo history, imports) that happened at `at` by `actorId`;
 * `requestId` names the batch so these rows can be told from those of requests.
 */
export async function writeAuditBatch(
  tx: Executor,
  entries: readonly AuditBatchEntry[],
  requestId: string,
): Promise<number> {
  if (entries.length === 0) return 0;
  await tx.execute(sql`SELECT pg_advisory_xact_lock(7315002)`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  // The ids first … first + n − 1, reserved in one step (every writer holds the lock taken above).
  const [reserved] = rowsOf<{ first: string | number }>(
    await tx.execute(sql`
      WITH s AS (SELECT pg_get_serial_sequence('audit_log', 'id') AS seq), f AS (SELECT nextval((SELECT seq FROM s)) AS first)
      SELECT first, setval((SELECT seq FROM s), first + ${entries.length - 1}) FROM f`),
  );
  const first = Number(reserved!.first);
  let prevHash = last?.hash ?? GENESIS_HASH;
  const rows = entries.map((e, i) => {
    const changes: Record<string, unknown> = diff(e.before ?? null, e.after ?? null);
    if (e.note) changes._ = { before: null, after: e.note };
    const row: AuditRowForHash = {
      id: first + i,
      districtId: e.districtId ?? null,
      at: e.at,
      actorId: e.actorId,
      actingForId: e.actingForId ?? null,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      orgUnitId: e.orgUnitId ?? null,
      changes,
      requestId,
      ip: null,
      userAgent: null,
      prevHash,
    };
    const hash = hashRow(row);
    prevHash = hash;
    return { ...row, changes: row.changes as Record<string, { before: unknown; after: unknown }>, hash };
  });
  await bulkInsert(tx, auditLog, rows);
  return rows.length;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstBad: { id: number; reason: string } | null;
}

/** Walks the whole chain in id order and names the first row whose links or hash do not hold. */
export async function verifyAuditChain(db: Executor, batch = 2000): Promise<ChainReport> {
  let prev = GENESIS_HASH;
  let after = 0;
  let checked = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, after))
      .orderBy(asc(auditLog.id))
      .limit(batch);
    if (rows.length === 0) return { ok: true, checked, firstBad: null };
    for (const r of rows) {
      if (r.prevHash !== prev)
        return {
          ok: false,
          checked,
          firstBad: { id: r.id, reason: 'previous-hash link broken (a row was removed or reordered)' },
        };
      if (hashRow(r) !== r.hash)
        return {
          ok: false,
          checked,
          firstBad: { id: r.id, reason: 'row content does not match its hash (changed)' },
        };
      prev = r.hash;
      after = r.id;
      checked++;
    }
  }
}
