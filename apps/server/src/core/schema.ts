import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
