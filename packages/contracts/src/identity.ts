import { type Static, Type } from 'typebox';
import { FreeText, Id, IsoTime, Nullable, Page, PageQuery, Phone } from './common';

// ---------- org units ----------
export const OrgUnitKind = Type.Union([
  Type.Literal('district'),
  Type.Literal('town'),
  Type.Literal('community'),
  Type.Literal('grid'),
]);
export const OrgUnitStatus = Type.Union([Type.Literal('active'), Type.Literal('retired')]);

export const OrgUnitRef = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  kind: OrgUnitKind,
});
export type OrgUnitRef = Static<typeof OrgUnitRef>;

export const OrgUnit = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  /** Official long name, e.g. 翰林社区居民委员会. */
  fullName: Nullable(Type.String()),
  kind: OrgUnitKind,
  /** 社区 / 村 / 镇 / 街道 / 区 / 网格: the subtype as the statistics bureau names it. */
  subtype: Nullable(Type.String()),
  status: OrgUnitStatus,
  parentId: Nullable(Id),
  depth: Type.Integer(),
  childCount: Type.Integer(),
  address: Nullable(Type.String()),
  retiredAt: Nullable(IsoTime),
});
export type OrgUnit = Static<typeof OrgUnit>;

export const OrgUnitDetail = Type.Intersect([
  OrgUnit,
  Type.Object({
    /** From the district down to the parent. */
    ancestors: Type.Array(OrgUnitRef),
    abilities: Type.Object({
      create: Type.Boolean(),
      rename: Type.Boolean(),
      move: Type.Boolean(),
      retire: Type.Boolean(),
      reinstate: Type.Boolean(),
    }),
  }),
]);
export type OrgUnitDetail = Static<typeof OrgUnitDetail>;

export const OrgUnitQuery = Type.Object({
  parentId: Type.Optional(Id),
  /** Search by name, full name or code (any part); pinyin is not needed for ~100 names. */
  q: Type.Optional(Type.String({ maxLength: 50 })),
  kind: Type.Optional(OrgUnitKind),
  includeRetired: Type.Optional(Type.Boolean()),
  /** Only units inside the caller's own data scope. */
  scope: Type.Optional(Type.Literal('mine')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
});
export type OrgUnitQuery = Static<typeof OrgUnitQuery>;
export const OrgUnitList = Type.Object({ items: Type.Array(OrgUnit) });

export const OrgUnitCreate = Type.Object({
  parentId: Id,
  name: Type.String({ minLength: 1, maxLength: 60 }),
  code: Type.String({ pattern: '^[0-9A-Za-z-]{1,20}$' }),
  kind: OrgUnitKind,
  subtype: Type.Optional(Type.String({ maxLength: 20 })),
  fullName: Type.Optional(Type.String({ maxLength: 100 })),
  address: Type.Optional(Type.String({ maxLength: 200 })),
});
export type OrgUnitCreate = Static<typeof OrgUnitCreate>;
export const OrgUnitRename = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 60 }),
  fullName: Type.Optional(Type.String({ maxLength: 100 })),
});
export type OrgUnitRename = Static<typeof OrgUnitRename>;
export const OrgUnitMove = Type.Object({ parentId: Id });
export type OrgUnitMove = Static<typeof OrgUnitMove>;
export const OrgUnitRetire = Type.Object({ reason: FreeText({ minLength: 2, maxLength: 500 }) });
export type OrgUnitRetire = Static<typeof OrgUnitRetire>;

// ---------- roles and grants ----------
export const Role = Type.Object({
  code: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  permissions: Type.Array(Type.String()),
  grantableAt: Type.Array(OrgUnitKind),
  requireTotp: Type.Boolean(),
});
export type Role = Static<typeof Role>;
export const RoleList = Type.Object({ items: Type.Array(Role) });
export const RoleUpdate = Type.Object({ requireTotp: Type.Boolean() });
export const RoleParams = Type.Object({ code: Type.String({ maxLength: 50 }) });

export const Grant = Type.Object({
  id: Id,
  roleCode: Type.String(),
  roleName: Type.String(),
  orgUnit: OrgUnitRef,
  grantedAt: IsoTime,
});
export type Grant = Static<typeof Grant>;
export const GrantCreate = Type.Object({ roleCode: Type.String({ maxLength: 50 }), orgUnitId: Id });
export type GrantCreate = Static<typeof GrantCreate>;
export const GrantParams = Type.Object({ id: Id, grantId: Id });

// ---------- accounts ----------
export const AccountKind = Type.Union([Type.Literal('resident'), Type.Literal('staff')]);
/** `closed`: a resident closed (注销) their account; the row stays, pseudonymised, for the records that name it. */
export const AccountStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('disabled'),
  Type.Literal('closed'),
]);

export const AccountSummary = Type.Object({
  id: Id,
  kind: AccountKind,
  username: Nullable(Type.String()),
  displayName: Type.String(),
  /**
   * Masked (138****1234) in lists and in write responses; in full only on GET /accounts/:id for
   * callers holding `pii.read` over the account (each such view is audited as `account.pii_view`).
   */
  phone: Nullable(Type.String()),
  status: AccountStatus,
  orgUnit: Nullable(OrgUnitRef),
  roles: Type.Array(Type.String()),
  lastSignInAt: Nullable(IsoTime),
  createdAt: IsoTime,
});
export type AccountSummary = Static<typeof AccountSummary>;

export const Account = Type.Intersect([
  AccountSummary,
  Type.Object({
    grants: Type.Array(Grant),
    totpEnabled: Type.Boolean(),
    lockedUntil: Nullable(IsoTime),
    mustChangePassword: Type.Boolean(),
    abilities: Type.Object({
      manage: Type.Boolean(),
      grant: Type.Boolean(),
      disable: Type.Boolean(),
      enable: Type.Boolean(),
      resetPassword: Type.Boolean(),
    }),
  }),
]);
export type Account = Static<typeof Account>;

export const AccountQuery = Type.Object({
  ...PageQuery.properties,
  q: Type.Optional(Type.String({ maxLength: 50 })),
  kind: Type.Optional(AccountKind),
  status: Type.Optional(AccountStatus),
  orgUnitId: Type.Optional(Id),
  role: Type.Optional(Type.String({ maxLength: 50 })),
});
export type AccountQuery = Static<typeof AccountQuery>;
export const AccountPage = Page(AccountSummary);

export const StaffCreate = Type.Object({
  username: Type.String({ pattern: '^[a-z][a-z0-9_.-]{2,31}$', description: '小写字母开头, 3–32 位' }),
  displayName: Type.String({ minLength: 1, maxLength: 40 }),
  phone: Type.Optional(Phone),
  orgUnitId: Id,
  /** For department staff: the department they work for. */
  departmentId: Type.Optional(Id),
  /** Optional initial password; when absent a temporary one is generated and returned once. */
  password: Type.Optional(Type.String({ maxLength: 200 })),
});
export type StaffCreate = Static<typeof StaffCreate>;
export const StaffCreated = Type.Object({
  account: Account,
  temporaryPassword: Nullable(Type.String()),
});
export const PasswordReset = Type.Object({ temporaryPassword: Type.String() });

// ---------- auth and me ----------
export const OtpRequest = Type.Object({ phone: Phone });
export const OtpSent = Type.Object({
  expiresInSeconds: Type.Integer(),
  resendAfterSeconds: Type.Integer(),
});
export const OtpVerify = Type.Object({ phone: Phone, code: Type.String({ pattern: '^[0-9]{6}$' }) });
export const DevOtp = Type.Object({ phone: Type.String(), code: Type.String(), expiresAt: IsoTime });
/** Development only: the notification texts the log sender sent to a number, oldest first. */
export const DevTexts = Type.Object({ phone: Type.String(), texts: Type.Array(Type.String()) });

export const Login = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
});
export const TotpCode = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) });
/**
 * The second sign-in step: the authenticator's 6-digit code, or one of the account's one-time
 * recovery codes (ten letters and digits, shown as two groups of five: `k7m2p-x9q4r`).
 */
export const TotpSignIn = Type.Object({
  code: Type.String({
    pattern: '^(?:[0-9]{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$',
    description: '6-digit authenticator code, or a one-time recovery code',
  }),
});
/** Freshly generated recovery codes: shown once, stored hashed. */
export const RecoveryCodes = Type.Object({ codes: Type.Array(Type.String()), generatedAt: IsoTime });
export type RecoveryCodes = Static<typeof RecoveryCodes>;
export const RecoveryCodeStatus = Type.Object({
  remaining: Type.Integer(),
  total: Type.Integer(),
  generatedAt: Nullable(IsoTime),
});
export type RecoveryCodeStatus = Static<typeof RecoveryCodeStatus>;
export const RecoveryCodesRegenerate = Type.Object({ password: Type.String({ maxLength: 200 }) });
export const TotpEnrolment = Type.Object({ secret: Type.String(), otpauthUrl: Type.String() });
export const TotpDisable = Type.Object({ password: Type.String({ maxLength: 200 }) });

export const PasswordChange = Type.Object({
  currentPassword: Type.String({ maxLength: 200 }),
  newPassword: Type.String({ maxLength: 200 }),
});

export const DepartmentRef = Type.Object({ id: Id, code: Type.String(), name: Type.String() });
export type DepartmentRef = Static<typeof DepartmentRef>;
export const DepartmentList = Type.Object({ items: Type.Array(DepartmentRef) });

export const Me = Type.Object({
  id: Id,
  kind: AccountKind,
  username: Nullable(Type.String()),
  displayName: Type.String(),
  /** The caller's own number, unmasked. */
  phone: Nullable(Type.String()),
  homeOrgUnit: Nullable(OrgUnitRef),
  /** Department staff: the department they work for. */
  department: Nullable(DepartmentRef),
  grants: Type.Array(Grant),
  permissions: Type.Array(Type.String()),
  mustChangePassword: Type.Boolean(),
  totpEnabled: Type.Boolean(),
  /**
   * Residents: the privacy notice in force and whether they must agree to it before using
   * signed-in resident routes (403 `consent-required` until they do). Staff: null.
   */
  privacy: Nullable(
    Type.Object({
      currentVersion: Nullable(Type.Integer()),
      consentedVersion: Nullable(Type.Integer()),
      consentRequired: Type.Boolean(),
    }),
  ),
});
export type Me = Static<typeof Me>;
/**
 * GET /session: who this browser is signed in as, asked by the apps on every start. Answers 200
 * for a visitor too (`signedIn: false`), so a signed-out page load logs no failed request.
 */
export const SessionState = Type.Object({
  signedIn: Type.Boolean(),
  me: Nullable(Me),
});
export type SessionState = Static<typeof SessionState>;
/** POST /me/totp/enable: the account, and the recovery codes generated with it (shown once). */
export const TotpEnabled = Type.Intersect([Me, Type.Object({ recoveryCodes: Type.Array(Type.String()) })]);
export type TotpEnabled = Static<typeof TotpEnabled>;
export const MeUpdate = Type.Object({
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  homeOrgUnitId: Type.Optional(Nullable(Id)),
});

/** What a sign-in step answers: signed in, or the next step it needs. */
export const LoginResult = Type.Object({
  status: Type.Union([
    Type.Literal('signed_in'),
    Type.Literal('totp_required'),
    Type.Literal('totp_enrolment_required'),
  ]),
  me: Nullable(Me),
});
export type LoginResult = Static<typeof LoginResult>;

export const Session = Type.Object({
  id: Id,
  current: Type.Boolean(),
  createdAt: IsoTime,
  lastSeenAt: IsoTime,
  expiresAt: IsoTime,
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
});
export type Session = Static<typeof Session>;
export const SessionList = Type.Object({ items: Type.Array(Session) });

// ---------- audit ----------
export const AuditEntry = Type.Object({
  id: Type.String(),
  at: IsoTime,
  actor: Nullable(Type.Object({ id: Id, displayName: Type.String() })),
  actingFor: Nullable(Type.Object({ id: Id, displayName: Type.String() })),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Nullable(Type.String()),
  orgUnit: Nullable(OrgUnitRef),
  changes: Type.Record(Type.String(), Type.Object({ before: Type.Unknown(), after: Type.Unknown() })),
  requestId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntry>;
export const AuditQuery = Type.Object({
  ...PageQuery.properties,
  entityType: Type.Optional(Type.String({ maxLength: 60 })),
  entityId: Type.Optional(Type.String({ maxLength: 60 })),
  actorId: Type.Optional(Id),
  action: Type.Optional(Type.String({ maxLength: 80 })),
  orgUnitId: Type.Optional(Id),
  from: Type.Optional(IsoTime),
  to: Type.Optional(IsoTime),
});
export type AuditQuery = Static<typeof AuditQuery>;
export const AuditPage = Page(AuditEntry);
export const AuditParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });

/** A code's words in each language the apps speak. */
export const AuditLabel = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });
export type AuditLabel = Static<typeof AuditLabel>;
/**
 * The words for the audit trail, from every module's manifest: each action (`case.report`), entity
 * type (`case`) and field name (`squadId`) the server writes, with its zh-CN and en labels.
 */
export const AuditCatalogue = Type.Object({
  actions: Type.Record(Type.String(), AuditLabel),
  entityTypes: Type.Record(Type.String(), AuditLabel),
  fields: Type.Record(Type.String(), AuditLabel),
});
export type AuditCatalogue = Static<typeof AuditCatalogue>;
