import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tstz } from './db/columns';

/**
 * Append-only audit trail. A request's transaction inserts its row unlinked (`linkSeq`,
 * `prevHash`, `hash` null); the `core.linkAudit` job (core/audit.ts) then links committed rows in
 * the order it finds them: `linkSeq` (1, 2, 3 … across the deployment), the hash of the previous
 * linked row of the same district (`prevHash`) and the row's own (`hash`), so a row changed,
 * removed or reordered behind the application's back is found by `npm run audit:verify`. A
 * trigger (migrations 0001, 0020) refuses UPDATE and DELETE, except that one linking update:
 * a column added here must join the trigger's list of columns linking may not change.
 * Rows linked before that change (`linkSeq` null, `hash` set) form the one earlier chain.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    districtId: uuid(),
    at: tstz().notNull(),
    actorId: uuid(),
    actingForId: uuid(),
    action: text().notNull(),
    entityType: text().notNull(),
    entityId: text(),
    /** The org unit the entity belongs to: the audit API's data scope. */
    orgUnitId: uuid(),
    changes: jsonb().$type<Record<string, { before: unknown; after: unknown }>>().notNull(),
    requestId: text(),
    ip: text(),
    userAgent: text(),
    /** Position in link order, set by the linker: null while unlinked. */
    linkSeq: bigint({ mode: 'number' }),
    prevHash: text(),
    hash: text(),
  },
  (t) => [
    index().on(t.entityType, t.entityId),
    index().on(t.actorId),
    index().on(t.orgUnitId, t.id),
    index().on(t.at),
    // The linker's and audit:verify's: written when a row is linked, never on the request path.
    uniqueIndex('audit_log_link_seq_idx').on(t.linkSeq).where(sql`link_seq IS NOT NULL`),
    // The unlinked tail: a few rows at any time (the one index entry a request adds besides the four above).
    index('audit_log_unlinked_idx').on(t.id).where(sql`hash IS NULL`),
  ],
);

/**
 * The newest linked row of each district's audit chain, written only by the linker in the
 * transaction that links it: where the next row of that district links to, and what
 * `audit:verify` expects each chain to end at (so removing a chain's newest rows shows).
 */
export const auditChainHeads = pgTable('audit_chain_heads', {
  /** The district's id, or '' for rows of no district. */
  chain: text().primaryKey(),
  linkSeq: bigint({ mode: 'number' }).notNull(),
  auditId: bigint({ mode: 'number' }).notNull(),
  hash: text().notNull(),
});

/** Replies to writes that carried an `Idempotency-Key`, so a retried request gets the first answer. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    accountId: uuid().notNull(),
    key: text().notNull(),
    route: text().notNull(),
    statusCode: text().notNull(),
    body: jsonb().notNull(),
    createdAt: tstz().notNull().default(sql`now()`),
  },
  (t) => [uniqueIndex().on(t.accountId, t.key, t.route), index().on(t.createdAt)],
);

/**
 * Append-only ledger of what each account made the server receive (core/upload-quota.ts): a
 * `reserve` row per file before its bytes are stored (files 1, bytes up to the file limit), a
 * `settle` row after it (bytes received minus reserved; the reservation's own time). The daily
 * quota is one indexed sum over an account's rows since midnight; no counter row is updated,
 * so uploads of different accounts never wait for each other. `path` is where the file is kept
 * if its request goes through.
 */
export const uploadLedger = pgTable(
  'upload_ledger',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    accountId: uuid().notNull(),
    at: tstz().notNull(),
    kind: text().$type<'reserve' | 'settle'>().notNull(),
    files: integer().notNull(),
    bytes: bigint({ mode: 'number' }).notNull(),
    path: text().notNull(),
    mime: text().notNull(),
    /** The route, e.g. `POST /api/v1/cases`. */
    purpose: text().notNull(),
    requestId: text(),
  },
  (t) => [index().on(t.accountId, t.at)],
);
