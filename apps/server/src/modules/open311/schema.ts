import { boolean, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps, tstz } from '../../core/db/columns';
import { cases } from '../cases/schema';
import { accounts } from '../identity/schema';

/**
 * Module `open311`: Open311 GeoReport v2 for partner apps. The cases themselves live in the
 * `cases` module (source `open311`); these tables hold the partners' API keys and what a partner
 * sent with each request that a case has no column for (the submitter's contact, token, media).
 */

/** An API key an admin issued to a partner app. Only the SHA-256 of the key is stored. */
export const open311Keys = pgTable(
  'open311_keys',
  {
    id: idColumn(),
    districtId: districtColumn(),
    partnerName: text().notNull(),
    keyHash: text().notNull(),
    /** The first characters of the key, to tell keys apart in the console. */
    keyPrefix: text().notNull(),
    /** POSTs answer with a token (GeoReport `batch` clients) instead of the request id. */
    batch: boolean().notNull().default(false),
    createdBy: uuid().references(() => accounts.id),
    revokedAt: tstz(),
    revokedBy: uuid().references(() => accounts.id),
    lastUsedAt: tstz(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex().on(t.keyHash),
    index().on(t.districtId, t.createdAt),
    index().on(t.createdBy),
    index().on(t.revokedBy),
  ],
);
export type Open311KeyRow = typeof open311Keys.$inferSelect;

/** One POST requests: the case it created, the partner, the submitter's contact details. */
export const open311Requests = pgTable(
  'open311_requests',
  {
    id: idColumn(),
    districtId: districtColumn(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    keyId: uuid()
      .notNull()
      .references(() => open311Keys.id),
    /** For `GET tokens/{token}`. */
    token: text().notNull(),
    jurisdictionId: text(),
    /** The submitter as the partner knows them (personal data: masked unless pii.read). */
    email: text(),
    phone: text(),
    firstName: text(),
    lastName: text(),
    accountId: text(),
    deviceId: text(),
    /** The full description (the case keeps at most 1,000 characters; Open311 allows 4,000). */
    description: text(),
    mediaUrl: text(),
    addressId: text(),
    attributes: jsonb().$type<Record<string, string | string[]>>().notNull().default({}),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.caseId), uniqueIndex().on(t.token), index().on(t.keyId)],
);
export type Open311RequestRow = typeof open311Requests.$inferSelect;
