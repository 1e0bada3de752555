import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { type ClosurePreview, maskPhone } from '@linli/contracts';
import { asc, eq } from 'drizzle-orm';
import { ZipFile } from 'yazl';
import { writeAudit } from '../../core/audit';
import { sessionsChanged } from '../../core/auth/session-cache';
import type { RequestContext } from '../../core/context';
import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { openStoredFile } from '../../core/files';
import type { PersonalDataPart, PersonalDataSource } from '../../core/personal-data';
import { auditLog } from '../../core/schema';
import type { AuthDeps } from './auth-service';
import { consumeOtp, generateOtpCode, issueOtp, OTP_TTL_SECONDS, otpProblem } from './otp';
import { accounts, orgUnits, otpCodes, privacyConsents, sessions } from './schema';

/**
 * A resident's rights over their personal information (PIPL art. 44–47): download a copy of
 * everything Linli holds about them (a streamed .zip of JSON and their files), and close the
 * account (注销). Each module contributes through its personal data source (core/personal-data.ts);
 * identity adds the account, consents, sessions and the account's own activity in the audit trail.
 */

/** What a closed account's name becomes on every record that keeps it. */
export const CLOSED_ACCOUNT_NAME = '已注销用户';

export interface PersonalDataDeps extends AuthDeps {
  sources: readonly PersonalDataSource[];
  dataDir: string;
}

type AccountRow = typeof accounts.$inferSelect;

async function loadResident(db: Executor, ctx: RequestContext, forUpdate = false): Promise<AccountRow> {
  const { accountId } = ctx.actor;
  if (!accountId) throw AppError.unauthenticated();
  if (ctx.actor.kind !== 'resident')
    throw AppError.forbidden('Staff accounts are disabled by an administrator, not closed by themselves.');
  const query = db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  const [account] = forUpdate ? await query.for('update') : await query;
  if (account?.status !== 'active') throw AppError.unauthenticated();
  return account;
}

/** Identity's own part of the download: the account, consents, sessions and the account's activity. */
async function identityParts(db: Executor, account: AccountRow): Promise<PersonalDataPart[]> {
  const [home] = account.orgUnitId
    ? await db
        .select({ name: orgUnits.name, code: orgUnits.code, kind: orgUnits.kind })
        .from(orgUnits)
        .where(eq(orgUnits.id, account.orgUnitId))
    : [];
  const consents = await db
    .select()
    .from(privacyConsents)
    .where(eq(privacyConsents.accountId, account.id))
    .orderBy(asc(privacyConsents.at));
  const sessionRows = await db
    .select()
    .from(sessions)
    .where(eq(sessions.accountId, account.id))
    .orderBy(asc(sessions.createdAt));
  const activity = await db
    .select()
    .from(auditLog)
    .where(eq(auditLog.actorId, account.id))
    .orderBy(asc(auditLog.id));
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return [
    {
      name: 'account.json',
      data: {
        id: account.id,
        kind: account.kind,
        phone: account.phone,
        displayName: account.displayName,
        homeCommunity: home ?? null,
        status: account.status,
        registeredAt: account.createdAt.toISOString(),
        lastSignInAt: iso(account.lastSignInAt),
        privacyConsentVersion: account.privacyConsentVersion,
      },
      files: [],
    },
    {
      name: 'privacy-consents.json',
      data: consents.map((c) => ({
        version: c.version,
        at: c.at.toISOString(),
        ip: c.ip,
        userAgent: c.userAgent,
      })),
      files: [],
    },
    {
      name: 'sessions.json',
      data: sessionRows.map((s) => ({
        signedInAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        signedOutAt: iso(s.revokedAt),
        ip: s.ip,
        userAgent: s.userAgent,
      })),
      files: [],
    },
    {
      name: 'activity.json',
      data: activity.map((a) => ({
        at: a.at.toISOString(),
        action: a.action,
        entityType: a.entityType,
        entityId: a.entityId,
        ip: a.ip,
        userAgent: a.userAgent,
      })),
      files: [],
    },
  ];
}

const README = (parts: PersonalDataPart[], files: number, at: Date) =>
  [
    '邻里+ 个人数据副本 / Linli personal data copy',
    '',
    `导出时间 Exported at: ${at.toISOString()}`,
    '',
    '本压缩包包含平台保存的与您有关的全部个人信息（JSON 格式）以及您上传的照片和材料（files/ 目录）。',
    'This archive holds every piece of personal information the platform keeps about you (JSON) and the',
    'photos and materials you uploaded (files/).',
    '',
    ...parts.map((p) => `  ${p.name}`),
    `  files/ (${files})`,
    '',
    '请妥善保管：其中含有您的手机号码和证件材料。Keep it safe: it contains your number and documents.',
    '',
  ].join('\n');

/**
 * The resident's data as a zip stream (GET /me/data-export): every source's JSON and files.
 * The export is audited before the first byte is sent; files are read one at a time as the zip
 * is written, never held in memory. A stored file that is missing on disk is listed, not fatal.
 */
export async function exportMyData(
  deps: PersonalDataDeps,
  ctx: RequestContext,
): Promise<{ stream: Readable; fileName: string }> {
  const account = await loadResident(deps.db, ctx);
  const now = deps.clock.now();
  const parts = [...(await identityParts(deps.db, account))];
  for (const source of deps.sources) parts.push(...(await source.collect(deps.db, account.id)));
  const files = parts.flatMap((p) => p.files);
  const present = await Promise.all(
    files.map((f) =>
      fs.promises.access(path.join(deps.dataDir, f.storedPath)).then(
        () => true,
        () => false,
      ),
    ),
  );
  const missing = files.filter((_, i) => !present[i]).map((f) => f.zipPath);
  await deps.db.transaction(async (tx) => {
    await writeAudit(tx, ctx, {
      action: 'account.data_export',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      note: { documents: parts.map((p) => p.name), files: files.length - missing.length },
    });
  });

  const zip = new ZipFile();
  const json = (data: unknown) => Buffer.from(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
  const mtime = now;
  zip.addBuffer(Buffer.from(README(parts, files.length - missing.length, now), 'utf8'), 'README.txt', {
    mtime,
  });
  for (const p of parts) zip.addBuffer(json(p.data), p.name, { mtime });
  if (missing.length) zip.addBuffer(json(missing), 'missing-files.json', { mtime });
  files.forEach((f, i) => {
    if (!present[i]) return;
    // Photos and PDFs are compressed already; storing them saves CPU for nothing lost.
    zip.addReadStreamLazy(f.zipPath, { mtime, compress: false }, (cb) => {
      try {
        cb(null, openStoredFile(deps.dataDir, f.storedPath));
      } catch (err) {
        cb(err as Error, undefined as unknown as Readable);
      }
    });
  });
  zip.end();
  const out = new PassThrough();
  zip.outputStream.pipe(out);
  // A file that fails mid-way ends the download (the client sees a broken zip, never a wrong one).
  zip.on('error', (err: Error) => out.destroy(err));
  const day = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return { stream: out, fileName: `linli-my-data-${day}.zip` };
}

/** What stands in the way of closing the account, and where the code goes (GET /me/closure). */
export async function closurePreview(deps: PersonalDataDeps, ctx: RequestContext): Promise<ClosurePreview> {
  const account = await loadResident(deps.db, ctx);
  const blockers = [];
  for (const source of deps.sources) blockers.push(...(await source.closureBlockers(deps.db, account.id)));
  return { phone: maskPhone(account.phone), blockers };
}

/** Sends the code that confirms closing the account to the account's own number (POST /me/closure/code). */
export async function sendClosureCode(deps: PersonalDataDeps, ctx: RequestContext) {
  const account = await loadResident(deps.db, ctx);
  if (!account.phone)
    throw AppError.conflict('conflict', 'This account has no mobile number to confirm with.');
  const code = generateOtpCode();
  const issued = await issueOtp(deps.db, {
    phone: account.phone,
    code,
    ip: ctx.ip,
    now: deps.clock.now(),
    limits: {
      perPhonePerHour: deps.config.otpRatePerPhonePerHour,
      resendCooldownSeconds: deps.config.otpResendCooldownSeconds,
      perIpPerHour: deps.config.otpRatePerIpPerHour,
    },
    purpose: 'close_account',
  });
  await deps.otpSender.send(account.phone, code, issued.expiresAt, 'close_account');
  return { expiresInSeconds: OTP_TTL_SECONDS, resendAfterSeconds: deps.config.otpResendCooldownSeconds };
}

/**
 * Closes the caller's resident account (POST /me/closure), confirmed with the code sent for it,
 * in one audited transaction:
 * - the account row keeps its id (records point at it) but loses the person: phone, home
 *   community and sign-in time are erased, the name becomes 已注销用户, status `closed`, so the
 *   number is free to register again as a new account;
 * - every session ends and forgets its IP and device; unused codes for the number are deleted;
 * - each module's source erases what is only personal and keeps, detached, what the community
 *   must keep (cases and their photos, application records, see their personal-data.ts);
 * - the audit trail is kept as it is (append-only; phones in it are masked).
 * Something still in progress (an application) answers 409 `account-closure-blocked` with the
 * blockers. Returns the upload-store files to delete once committed.
 */
export async function closeMyAccount(
  deps: PersonalDataDeps,
  ctx: RequestContext,
  code: string,
): Promise<{ deleteFiles: string[] }> {
  const now = deps.clock.now();
  const outcome = await deps.db.transaction(
    async (tx): Promise<{ ok: true; deleteFiles: string[] } | { ok: false; error: AppError }> => {
      const account = await loadResident(tx, ctx, true);
      const blockers = [];
      for (const source of deps.sources) blockers.push(...(await source.closureBlockers(tx, account.id)));
      if (blockers.length)
        return {
          ok: false,
          error: AppError.conflict(
            'account-closure-blocked',
            'Finish or withdraw what is still in progress before closing the account.',
            { blockers },
          ),
        };
      const check = await consumeOtp(tx, account.phone ?? '', code, now, 'close_account');
      // A wrong code is counted: commit that, then answer.
      if (!check.ok) return { ok: false, error: otpProblem(check) };

      await tx
        .update(sessions)
        .set({ revokedAt: now, ip: null, userAgent: null })
        .where(eq(sessions.accountId, account.id));
      if (account.phone) await tx.delete(otpCodes).where(eq(otpCodes.phone, account.phone));
      const erased = {
        phone: null,
        displayName: CLOSED_ACCOUNT_NAME,
        orgUnitId: null,
        lastSignInAt: null,
        status: 'closed' as const,
        closedAt: now,
      };
      await tx
        .update(accounts)
        .set({ ...erased, updatedAt: now })
        .where(eq(accounts.id, account.id));
      const deleteFiles: string[] = [];
      const counts: Record<string, Record<string, number>> = {};
      for (const source of deps.sources) {
        const done = await source.close(tx, account.id, now);
        deleteFiles.push(...done.deleteFiles);
        counts[source.module] = done.counts;
      }
      await writeAudit(tx, ctx, {
        action: 'account.close',
        entityType: 'account',
        entityId: account.id,
        orgUnitId: account.orgUnitId,
        districtId: account.districtId,
        before: {
          phone: account.phone,
          displayName: account.displayName,
          orgUnitId: account.orgUnitId,
          status: account.status,
        },
        after: { phone: null, displayName: CLOSED_ACCOUNT_NAME, orgUnitId: null, status: 'closed' },
        note: counts,
      });
      return { ok: true, deleteFiles };
    },
  );
  if (!outcome.ok) throw outcome.error;
  // After the commit: every session of the account has ended.
  sessionsChanged({ accountId: ctx.actor.accountId });
  return { deleteFiles: outcome.deleteFiles };
}
