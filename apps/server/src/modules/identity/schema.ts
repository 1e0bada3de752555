import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
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
    /** `closed`: the resident closed (注销) the account; personal fields are erased (see personal-data-service.ts). */
    status: text({ enum: ['active', 'disabled', 'closed'] })
      .notNull()
      .default('active'),
    closedAt: tstz(),
    /** Residents: the privacy notice version they last agreed to (the consent rows are the record). */
    privacyConsentVersion: integer(),
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

/**
 * One-time codes sent by SMS: resident sign-in, and the confirmation of closing an account. Only a
 * hash of the code is kept; a code only ever works for the purpose it was sent for.
 */
export const otpCodes = pgTable(
  'otp_codes',
  {
    id: idColumn(),
    phone: text().notNull(),
    purpose: text({ enum: ['sign_in', 'close_account'] })
      .notNull()
      .default('sign_in'),
    codeHash: text().notNull(),
    createdAt: tstz().notNull().defaultNow(),
    expiresAt: tstz().notNull(),
    attempts: integer().notNull().default(0),
    consumedAt: tstz(),
    ip: text(),
  },
  (t) => [index().on(t.phone, t.createdAt), index().on(t.ip, t.createdAt)],
);

/**
 * Staff one-time recovery codes: generated with TOTP (and regenerated on request, which deletes
 * the old set), each usable once in place of an authenticator code. Only a hash is kept.
 */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: idColumn(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    codeHash: text().notNull(),
    createdAt: tstz().notNull().defaultNow(),
    usedAt: tstz(),
  },
  (t) => [index().on(t.accountId), uniqueIndex().on(t.codeHash)],
);

export interface PrivacyNoticeTexts {
  'zh-CN': { title: string; body: string };
  en: { title: string; body: string };
}

/**
 * The district's privacy notice (隐私政策 / 个人信息处理规则), one row per published version. The
 * newest version is in force; residents who agreed to an older one are asked again.
 */
export const privacyNotices = pgTable(
  'privacy_notices',
  {
    id: idColumn(),
    districtId: districtColumn(),
    version: integer().notNull(),
    texts: jsonb().$type<PrivacyNoticeTexts>().notNull(),
    summary: text(),
    publishedAt: tstz().notNull(),
    /** Null for the text the product ships (seeded). */
    publishedBy: uuid().references(() => accounts.id),
  },
  (t) => [uniqueIndex().on(t.districtId, t.version)],
);

/** A resident's agreement to one version of the notice: the record PIPL asks a processor to keep. */
export const privacyConsents = pgTable(
  'privacy_consents',
  {
    id: idColumn(),
    districtId: districtColumn(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    noticeId: uuid()
      .notNull()
      .references(() => privacyNotices.id),
    version: integer().notNull(),
    at: tstz().notNull(),
    ip: text(),
    userAgent: text(),
  },
  (t) => [index().on(t.accountId, t.at), index().on(t.noticeId)],
);
