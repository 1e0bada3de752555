import type { ServiceGuide } from '@linli/contracts';
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps, tstz } from '../../core/db/columns';
import { orgUnits } from '../identity/schema';

/**
 * A service item (办事事项). Its guide content lives in versions: editing makes a draft version,
 * publishing makes it the live one; earlier versions are kept as history. The columns copied
 * from the published version (name, department …) serve lists and search without reading JSON.
 */
export const serviceItems = pgTable(
  'service_items',
  {
    id: idColumn(),
    districtId: districtColumn(),
    /** The catalogue's own code (D001 direct, P001 proxy …). */
    code: text().notNull(),
    mode: text({ enum: ['direct', 'proxy'] }).notNull(),
    status: text({ enum: ['draft', 'published', 'retired'] })
      .notNull()
      .default('draft'),
    name: text().notNull(),
    department: text().notNull(),
    itemType: text().notNull(),
    caseType: text().notNull(),
    promisedDays: integer(),
    onsiteVisits: integer().notNull().default(1),
    lifeEvents: text().array().notNull().default(sql`'{}'::text[]`),
    publishedVersion: integer(),
    publishedAt: tstz(),
    /** Views and applications: the search tie-breaker. */
    popularity: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [uniqueIndex().on(t.districtId, t.code), index().on(t.districtId, t.status, t.department)],
);

export const serviceItemVersions = pgTable(
  'service_item_versions',
  {
    id: idColumn(),
    districtId: districtColumn(),
    itemId: uuid()
      .notNull()
      .references(() => serviceItems.id),
    version: integer().notNull(),
    status: text({ enum: ['draft', 'published', 'superseded'] }).notNull(),
    guide: jsonb().$type<ServiceGuide>().notNull(),
    changeNote: text(),
    createdBy: uuid(),
    createdAt: tstz().notNull().defaultNow(),
    publishedBy: uuid(),
    publishedAt: tstz(),
  },
  (t) => [uniqueIndex().on(t.itemId, t.version), index().on(t.itemId, t.status)],
);

/** What a community's service room offers, with its own place, hours and phone. */
export const serviceOfferings = pgTable(
  'service_offerings',
  {
    id: idColumn(),
    districtId: districtColumn(),
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    itemId: uuid()
      .notNull()
      .references(() => serviceItems.id),
    location: text().notNull(),
    hours: text().notNull(),
    phone: text(),
    active: boolean().notNull().default(true),
    ...timestamps(),
  },
  (t) => [uniqueIndex().on(t.orgUnitId, t.itemId), index().on(t.itemId)],
);

/** Search synonyms (低保 ↔ 最低生活保障), editable by the district. */
export const serviceSynonyms = pgTable(
  'service_synonyms',
  {
    id: idColumn(),
    districtId: districtColumn(),
    terms: text().array().notNull(),
    createdBy: uuid(),
    ...timestamps(),
  },
  (t) => [index().on(t.districtId)],
);
