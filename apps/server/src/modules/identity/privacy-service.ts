import type { MyPrivacy, PrivacyNotice, PrivacyNoticeCreate } from '@linli/contracts';
import { and, asc, desc, eq } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import { sessionsChanged } from '../../core/auth/session-cache';
import type { RequestContext } from '../../core/context';
import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize } from '../../core/permissions';
import type { AuthDeps } from './auth-service';
import shipped from './data/privacy-notice.json' with { type: 'json' };
import { accountDisplayNames, defaultDistrict, findOrgUnit, listDistricts } from './lookups';
import { accounts, privacyConsents, privacyNotices } from './schema';

/**
 * The privacy notice (隐私政策 / 个人信息处理规则) and residents' consent to it (PIPL art. 13–17).
 * Each district has its own versions; the newest is in force. A resident who has not agreed to it
 * is refused by every signed-in resident route with 403 `consent-required` (core/http.ts reads
 * `consentPending` from the session) until they agree here; a new version asks everyone again.
 * Staff accounts are not asked: they work under their employment, not this notice.
 */

type NoticeRow = typeof privacyNotices.$inferSelect;

async function presentNotices(db: Executor, rows: NoticeRow[]): Promise<PrivacyNotice[]> {
  const names = await accountDisplayNames(
    db,
    rows.flatMap((r) => (r.publishedBy ? [r.publishedBy] : [])),
  );
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    summary: r.summary,
    texts: r.texts,
    publishedAt: r.publishedAt.toISOString(),
    publishedBy: r.publishedBy ? { id: r.publishedBy, displayName: names.get(r.publishedBy) ?? '' } : null,
  }));
}

/** The notice in force in a district, or null before any is published. */
export async function currentNotice(db: Executor, districtId: string): Promise<NoticeRow | null> {
  const [row] = await db
    .select()
    .from(privacyNotices)
    .where(eq(privacyNotices.districtId, districtId))
    .orderBy(desc(privacyNotices.version))
    .limit(1);
  return row ?? null;
}

/**
 * Gives every district without a notice the one the product ships (data/privacy-notice.json) as
 * version 1, with the district's name filled in. Reference data: runs at every start, writes once.
 */
export async function seedPrivacyNotice(db: Executor): Promise<void> {
  for (const district of await listDistricts(db)) {
    if (await currentNotice(db, district.id)) continue;
    const fill = (s: string) =>
      s.replaceAll('{district}', district.name).replaceAll('{districtEn}', `${district.name} (the district)`);
    await db
      .insert(privacyNotices)
      .values({
        districtId: district.id,
        version: 1,
        texts: {
          'zh-CN': { title: shipped.texts['zh-CN'].title, body: fill(shipped.texts['zh-CN'].body) },
          en: { title: shipped.texts.en.title, body: fill(shipped.texts.en.body) },
        },
        summary: shipped.summary,
        publishedAt: new Date(),
        publishedBy: null,
      })
      .onConflictDoNothing();
  }
}

/** The notice in force, for anyone (GET /privacy-notice): the caller's district, else the default one. */
export async function getCurrentNotice(deps: AuthDeps, ctx: RequestContext): Promise<PrivacyNotice> {
  const districtId = ctx.actor.districtId ?? (await defaultDistrict(deps.db));
  const row = await currentNotice(deps.db, districtId);
  if (!row) throw AppError.notFound('privacy notice');
  return (await presentNotices(deps.db, [row]))[0]!;
}

/** Every version, newest first (GET /privacy-notices, privacy.manage over the district). */
export async function listNotices(deps: AuthDeps, ctx: RequestContext): Promise<PrivacyNotice[]> {
  const district = await callerDistrict(deps, ctx);
  authorize(ctx.actor, 'privacy.manage', { orgPath: district.path }, 'district');
  const rows = await deps.db
    .select()
    .from(privacyNotices)
    .where(eq(privacyNotices.districtId, district.id))
    .orderBy(desc(privacyNotices.version));
  return presentNotices(deps.db, rows);
}

async function callerDistrict(deps: AuthDeps, ctx: RequestContext) {
  if (!ctx.actor.districtId) throw AppError.unauthenticated();
  const district = await findOrgUnit(deps.db, ctx.actor.districtId);
  if (!district) throw AppError.notFound('district');
  return district;
}

/**
 * Publishes a new version (POST /privacy-notices): version = last + 1, audited. From the next
 * request on, every resident of the district is asked to agree again.
 */
export async function publishNotice(
  deps: AuthDeps,
  ctx: RequestContext,
  input: PrivacyNoticeCreate,
): Promise<PrivacyNotice> {
  const district = await callerDistrict(deps, ctx);
  authorize(ctx.actor, 'privacy.manage', { orgPath: district.path }, 'district');
  const now = deps.clock.now();
  const texts = {
    'zh-CN': { title: input.texts['zh-CN'].title.trim(), body: input.texts['zh-CN'].body.trim() },
    en: { title: input.texts.en.title.trim(), body: input.texts.en.body.trim() },
  };
  const row = await deps.db.transaction(async (tx) => {
    // One publisher at a time per district, so two publishes cannot take the same number.
    const [last] = await tx
      .select({ version: privacyNotices.version })
      .from(privacyNotices)
      .where(eq(privacyNotices.districtId, district.id))
      .orderBy(desc(privacyNotices.version))
      .limit(1)
      .for('update');
    const [created] = await tx
      .insert(privacyNotices)
      .values({
        districtId: district.id,
        version: (last?.version ?? 0) + 1,
        texts,
        summary: input.summary.trim(),
        publishedAt: now,
        publishedBy: ctx.actor.accountId,
      })
      .returning();
    await writeAudit(tx, ctx, {
      action: 'privacy_notice.publish',
      entityType: 'privacy_notice',
      entityId: created!.id,
      orgUnitId: district.id,
      districtId: district.id,
      before: last ? { version: last.version } : null,
      after: { version: created!.version, summary: created!.summary },
    });
    return created!;
  });
  // Every cached session carries "consent pending" as of its read: re-read them all.
  sessionsChanged('all');
  return (await presentNotices(deps.db, [row]))[0]!;
}

function residentOf(ctx: RequestContext): string {
  const { accountId } = ctx.actor;
  if (!accountId) throw AppError.unauthenticated();
  if (ctx.actor.kind !== 'resident') throw AppError.forbidden('Only resident accounts agree to the notice.');
  return accountId;
}

/** The resident's standing with the notice, and their consents (GET /me/privacy). */
export async function getMyPrivacy(deps: AuthDeps, ctx: RequestContext): Promise<MyPrivacy> {
  const accountId = residentOf(ctx);
  const [account] = await deps.db
    .select({ districtId: accounts.districtId, version: accounts.privacyConsentVersion })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account) throw AppError.unauthenticated();
  const current = await currentNotice(deps.db, account.districtId);
  const consents = await deps.db
    .select({ version: privacyConsents.version, at: privacyConsents.at })
    .from(privacyConsents)
    .where(eq(privacyConsents.accountId, accountId))
    .orderBy(asc(privacyConsents.at), asc(privacyConsents.id));
  return {
    current: current ? (await presentNotices(deps.db, [current]))[0]! : null,
    consentedVersion: account.version,
    consentRequired: !!current && (account.version ?? 0) < current.version,
    consents: consents.map((c) => ({ version: c.version, at: c.at.toISOString() })),
  };
}

/**
 * Records the resident's agreement to `version` (POST /me/privacy/consent), with time, IP and
 * user agent, audited. Only the version in force can be agreed to: an older one (the resident
 * read it before a new one came out) answers 409 `privacy-version-stale`.
 */
export async function consentToNotice(
  deps: AuthDeps,
  ctx: RequestContext,
  version: number,
): Promise<MyPrivacy> {
  const accountId = residentOf(ctx);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const [account] = await tx
      .select({
        districtId: accounts.districtId,
        orgUnitId: accounts.orgUnitId,
        version: accounts.privacyConsentVersion,
      })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .for('update');
    if (!account) throw AppError.unauthenticated();
    const current = await currentNotice(tx, account.districtId);
    if (!current) throw AppError.notFound('privacy notice');
    if (version !== current.version)
      throw AppError.conflict(
        'privacy-version-stale',
        `Version ${version} is not the notice in force (version ${current.version}); read it and agree to that one.`,
        { currentVersion: current.version },
      );
    if (account.version === current.version) return;
    await tx
      .update(accounts)
      .set({ privacyConsentVersion: current.version, updatedAt: now })
      .where(and(eq(accounts.id, accountId)));
    await tx.insert(privacyConsents).values({
      districtId: account.districtId,
      accountId,
      noticeId: current.id,
      version: current.version,
      at: now,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    await writeAudit(tx, ctx, {
      action: 'privacy.consent',
      entityType: 'account',
      entityId: accountId,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      before: { privacyConsentVersion: account.version },
      after: { privacyConsentVersion: current.version },
    });
  });
  // The session's cached "consent pending" must not outlive the agreement.
  sessionsChanged({ accountId });
  return getMyPrivacy(deps, ctx);
}

/** For the demo seed and fixtures: the account has agreed to the district's notice in force. */
export async function recordConsentForSeed(
  db: Executor,
  accountId: string,
  districtId: string,
  at: Date,
): Promise<void> {
  const current = await currentNotice(db, districtId);
  if (!current) return;
  await db.update(accounts).set({ privacyConsentVersion: current.version }).where(eq(accounts.id, accountId));
  await db.insert(privacyConsents).values({
    districtId,
    accountId,
    noticeId: current.id,
    version: current.version,
    at,
    ip: null,
    userAgent: 'demo seed',
  });
}
