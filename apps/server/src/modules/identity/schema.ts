import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps, tstz } from '../../core/db/columns';

/**
 * District → town/street → community → grid. `path` is the materialised path of ids
 * (`/<district>/<town>/<community>/`), so "the subtree of X" is `path LIKE X.path || '%'`.
 */
export const orgUnits = pgTable(
  'org_units',
  {
    id: idColumn(),
    districtId: districtColumn(),
    parentId: uuid().references((): AnyPgColumn => orgUnits.id),
    code: text().notNull(),
    name: text().notNull(),
    fullName: text(),
    kind: text({ enum: ['district', 'town', 'community', 'grid'] }).notNull(),
    subtype: text(),
    address: text(),
    path: text().notNull(),
    depth: integer().notNull(),
    sort: integer().notNull().default(0),
    status: text({ enum: ['active', 'retired'] })
      .notNull()
      .default('active'),
    retiredAt: tstz(),
    retiredReason: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex().on(t.code),
    index().on(t.parentId),
    index('org_units_path_idx').using('btree', sql`${t.path} text_pattern_ops`),
    index().on(t.districtId),
  ],
);

/**
 * District departments (区级部门: 民政局, 人社局 …). Not part of the geographic tree: a department's
 * staff hold their roles at the district, and the department says which forwarded work is theirs.
 */
export const departments = pgTable(
  'departments',
  {
    id: idColumn(),
    districtId: districtColumn(),
    code: text().notNull(),
    name: text().notNull(),
    status: text({ enum: ['active', 'retired'] })
      .notNull()
      .default('active'),
    ...timestamps(),
  },
  (t) => [uniqueIndex().on(t.districtId, t.code), uniqueIndex().on(t.districtId, t.name)],
);

export const accounts = pgTable(
  'accounts',
  {
    id: idColumn(),
    districtId: districtColumn(),
    kind: text({ enum: ['resident', 'staff'] }).notNull(),
    username: text(),
    phone: text(),
    displayName: text().notNull(),
    /** Staff: the unit the account belongs to. Residents: their home community (may be null). */
    orgUnitId: uuid().references(() => orgUnits.id),
    /** Department staff: the department they work for. */
    departmentId: uuid().references(() => departments.id),
    passwordHash: text(),
    passwordChangedAt: tstz(),
    mustChangePassword: boolean().notNull().default(false),
    totpSecret: text(),
    totpEnabled: boolean().notNull().default(false),
    /** The last TOTP time step accepted, so a code is never accepted twice. */
    totpLastStep: integer(),
    failedLogins: integer().notNull().default(0),
    lockouts: integer().notNull().default(0),
    lockedUntil: tstz(),
    status: text({ enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    lastSignInAt: tstz(),
    createdBy: uuid(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('accounts_username_uq').on(t.username),
    uniqueIndex('accounts_resident_phone_uq').on(t.phone).where(sql`${t.kind} = 'resident'`),
    index().on(t.orgUnitId, t.id),
    index().on(t.districtId),
  ],
);

/** Built-in roles are synced from contracts at start; `requireTotp` is the district's setting. */
export const roles = pgTable('roles', {
  code: text().primaryKey(),
  requireTotp: boolean().notNull().default(false),
  updatedAt: tstz().notNull().defaultNow(),
});

export const roleGrants = pgTable(
  'role_grants',
  {
    id: idColumn(),
    districtId: districtColumn(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    roleCode: text()
      .notNull()
      .references(() => roles.code),
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    grantedBy: uuid(),
    grantedAt: tstz().notNull().defaultNow(),
    revokedAt: tstz(),
    revokedBy: uuid(),
  },
  (t) => [
    index().on(t.accountId),
    index().on(t.orgUnitId),
    uniqueIndex('role_grants_active_uq')
      .on(t.accountId, t.roleCode, t.orgUnitId)
      .where(sql`${t.revokedAt} IS NULL`),
  ],
);

/**
 * Server-side sessions. The cookie holds a random token; only its SHA-256 is stored.
 * `stage` is `full`, or `totp` / `totp_enrol` while a staff sign-in waits for its second factor.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: idColumn(),
    districtId: districtColumn(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    tokenHash: text().notNull(),
    stage: text({ enum: ['full', 'totp', 'totp_enrol'] })
      .notNull()
      .default('full'),
    createdAt: tstz().notNull().defaultNow(),
    lastSeenAt: tstz().notNull().defaultNow(),
    expiresAt: tstz().notNull(),
    revokedAt: tstz(),
    ip: text(),
    userAgent: text(),
  },
  (t) => [uniqueIndex().on(t.tokenHash), index().on(t.accountId)],
);

/** One-time sign-in codes for residents. Only a hash of the code is kept. */
export const otpCodes = pgTable(
  'otp_codes',
  {
    id: idColumn(),
    phone: text().notNull(),
    codeHash: text().notNull(),
    createdAt: tstz().notNull().defaultNow(),
    expiresAt: tstz().notNull(),
    attempts: integer().notNull().default(0),
    consumedAt: tstz(),
    ip: text(),
  },
  (t) => [index().on(t.phone, t.createdAt), index().on(t.ip, t.createdAt)],
);
