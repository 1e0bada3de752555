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
 * Append-only audit trail. Each row carries the hash of the previous row in the chain
 * (`prevHash`) and its own (`hash`), so a row changed behind the application's back is found by
 * `npm run audit:verify`. A trigger (see the migration) refuses UPDATE and DELETE.
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
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [
    index().on(t.entityType, t.entityId),
    index().on(t.actorId),
    index().on(t.orgUnitId, t.id),
    index().on(t.at),
  ],
);

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
