import type { Me, Session } from '@linli/contracts';
import { and, asc, desc, eq, gt, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config';
import { writeAudit } from '../../core/audit';
import {
  createSession,
  revokeOtherSessions,
  revokeSessions,
  type SessionStage,
} from '../../core/auth/sessions';
import { sessionsChanged } from '../../core/auth/session-cache';
import type { Clock } from '../../core/clock';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { type SecretBox, SecretKeyMismatch } from '../../core/secret-box';
import { accountLocked, lockRemainingSeconds, recordFailure, recordSuccess } from './lockout';
import { presentMe, presentSession } from './me-presenter';
import { consumeOtp, discardOtp, generateOtpCode, issueOtp, OTP_TTL_SECONDS, otpProblem } from './otp';
import type { OtpSender } from './otp-sender';
import { checkPasswordPolicy, hashPassword, verifyDummyPassword, verifyPassword } from './password';
import { accounts, orgUnits, roleGrants, roles, sessions } from './schema';
import {
  deleteRecoveryCodes,
  looksLikeRecoveryCode,
  recoveryCodeStatus,
  replaceRecoveryCodes,
  useRecoveryCode,
} from './recovery-codes';
import { generateTotpSecret, otpauthUrl, verifyTotp } from './totp';

/**
 * Sign-in and the caller's own account: resident one-time codes, staff passwords with
 * lock-out, TOTP, profile, password and sessions. Every state change is one transaction that
 * also writes its audit row. Failed attempts are committed before the error is thrown, so a
 * counted try sticks.
 */

export interface AuthDeps {
  db: Db;
  config: Config;
  clock: Clock;
  otpSender: OtpSender;
  /** Seals TOTP secrets at rest (LINLI_SECRET_KEY). */
  secrets: SecretBox;
}

export const authDeps = (app: FastifyInstance): AuthDeps => ({
  db: app.database.db,
  config: app.config,
  clock: app.clock,
  otpSender: app.otpSender,
  secrets: app.secrets,
});

/** What a sealed TOTP secret is bound to: a sealed value copied onto another account does not open. */
export const totpSecretContext = (accountId: string) => `totp:${accountId}`;

/** The account's TOTP secret in clear, for checking a code; a key that does not open it is said plainly. */
function openTotpSecret(deps: AuthDeps, accountId: string, sealed: string): string {
  try {
    return deps.secrets.open(sealed, totpSecretContext(accountId));
  } catch (err) {
    if (err instanceof SecretKeyMismatch)
      throw new AppError(
        503,
        'secret-key-mismatch',
        'The server cannot read this account’s authenticator key: LINLI_SECRET_KEY is not the key it was sealed with. Tell the administrator.',
      );
    throw err;
  }
}

/** A session the route hands to the browser (cookies) after a sign-in step. */
export interface IssuedSession {
  accountId: string;
  sessionId: string;
  token: string;
  stage: SessionStage;
}

type AccountRow = typeof accounts.$inferSelect;

/** Failures that must be committed before they are thrown. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError; endSession?: boolean };
const fail = (error: AppError, endSession = false): { ok: false; error: AppError; endSession: boolean } => ({
  ok: false,
  error,
  endSession,
});
function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** The request context with the account as its actor: who signed in is who acted. */
function actingAs(ctx: RequestContext, account: AccountRow, sessionId: string | null): RequestContext {
  return {
    ...ctx,
    actor: {
      kind: account.kind,
      accountId: account.id,
      districtId: account.districtId,
      displayName: account.displayName,
      grants: [],
      sessionId,
    },
  };
}

const loginFailed = () => AppError.unauthenticated('Wrong username or password.', 'login-failed');
const accountDisabled = () => AppError.forbidden('This account is disabled.', 'account-disabled');

async function loadAccount(db: Executor, accountId: string, forUpdate = false): Promise<AccountRow> {
  const query = db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  const [account] = forUpdate ? await query.for('update') : await query;
  if (!account) throw AppError.unauthenticated();
  return account;
}

function signedIn(ctx: RequestContext): { accountId: string; sessionId: string } {
  const { accountId, sessionId } = ctx.actor;
  if (!accountId || !sessionId) throw AppError.unauthenticated();
  return { accountId, sessionId };
}

/** A sign-in replaces whatever session the browser came with (no session fixation, no orphans). */
async function endPreviousSession(tx: Executor, ctx: RequestContext, now: Date) {
  if (ctx.actor.accountId && ctx.actor.sessionId)
    await revokeSessions(tx, ctx.actor.accountId, ctx.actor.sessionId, now);
}

/** True when any role the account holds (unrevoked, on an active unit) has `requireTotp` set. */
export async function roleRequiresTotp(db: Executor, accountId: string): Promise<boolean> {
  const rows = await db
    .select({ code: roles.code })
    .from(roleGrants)
    .innerJoin(roles, eq(roles.code, roleGrants.roleCode))
    .innerJoin(orgUnits, eq(orgUnits.id, roleGrants.orgUnitId))
    .where(
      and(
        eq(roleGrants.accountId, accountId),
        isNull(roleGrants.revokedAt),
        eq(orgUnits.status, 'active'),
        eq(roles.requireTotp, true),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** The district new resident accounts belong to: the root of the org tree. */
async function districtRootId(db: Executor): Promise<string> {
  const [root] = await db
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(and(eq(orgUnits.kind, 'district'), isNull(orgUnits.parentId)))
    .orderBy(asc(orgUnits.sort), asc(orgUnits.createdAt))
    .limit(1);
  if (!root) throw new AppError(503, 'unavailable', 'No district is set up yet.');
  return root.id;
}

/**
 * Counts a failed password or TOTP attempt; locks the account at the threshold (audited).
 * Returns the lock length in seconds, or 0.
 */
async function countFailure(
  tx: Executor,
  deps: AuthDeps,
  ctx: RequestContext,
  account: AccountRow,
  now: Date,
  factor: 'password' | 'totp',
): Promise<number> {
  const result = await recordFailure(tx, account.id, now, deps.config);
  if (result.lockedForSeconds > 0) {
    await writeAudit(tx, ctx, {
      action: 'auth.lockout',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      note: { factor, seconds: result.lockedForSeconds, lockouts: result.lockouts },
    });
  }
  return result.lockedForSeconds;
}

/**
 * Checks an account's password where the caller is already signed in (password change, TOTP
 * disable). Wrong answers count toward lock-out like sign-in failures, so a stolen session
 * cannot be used to guess the password; a locked account is refused without checking.
 */
async function confirmPassword(
  deps: AuthDeps,
  ctx: RequestContext,
  account: AccountRow,
  password: string,
  field: string,
) {
  const now = deps.clock.now();
  const lockedFor = lockRemainingSeconds(account.lockedUntil, now);
  if (lockedFor > 0) throw accountLocked(lockedFor);
  const ok = account.passwordHash
    ? await verifyPassword(account.passwordHash, password).catch(() => false)
    : false;
  if (ok) return;
  const seconds = await deps.db.transaction((tx) => countFailure(tx, deps, ctx, account, now, 'password'));
  if (seconds > 0) throw accountLocked(seconds);
  throw AppError.badRequest('password-wrong', 'The password is wrong.', [
    { field, message: 'is wrong', code: 'password-wrong' },
  ]);
}

// ---------- residents: one-time codes ----------

/** Sends a new sign-in code to `phone` (POST /auth/otp). */
export async function requestOtp(
  deps: AuthDeps,
  ctx: RequestContext,
  phone: string,
): Promise<{ expiresInSeconds: number; resendAfterSeconds: number }> {
  const code = generateOtpCode();
  const issued = await issueOtp(deps.db, {
    phone,
    code,
    ip: ctx.ip,
    now: deps.clock.now(),
    limits: {
      perPhonePerHour: deps.config.otpRatePerPhonePerHour,
      resendCooldownSeconds: deps.config.otpResendCooldownSeconds,
      perIpPerHour: deps.config.otpRatePerIpPerHour,
    },
  });
  try {
    await deps.otpSender.send(phone, code, issued.expiresAt);
  } catch (err) {
    // Not delivered: the code must not block a retry or count toward the limits.
    await discardOtp(deps.db, issued.id);
    throw err;
  }
  return { expiresInSeconds: OTP_TTL_SECONDS, resendAfterSeconds: deps.config.otpResendCooldownSeconds };
}

/**
 * Signs a resident in with the code sent to their phone (POST /auth/otp/verify). The first
 * sign-in of a number creates its resident account in the district.
 */
export async function signInWithOtp(
  deps: AuthDeps,
  ctx: RequestContext,
  phone: string,
  code: string,
): Promise<IssuedSession> {
  const now = deps.clock.now();
  const outcome = await deps.db.transaction(async (tx): Promise<Outcome<IssuedSession>> => {
    const check = await consumeOtp(tx, phone, code, now);
    if (!check.ok) return fail(otpProblem(check));
    let [account] = await tx
      .select()
      .from(accounts)
      .where(and(eq(accounts.kind, 'resident'), eq(accounts.phone, phone)))
      .limit(1)
      .for('update');
    const created = !account;
    if (!account) {
      [account] = await tx
        .insert(accounts)
        .values({
          districtId: await districtRootId(tx),
          kind: 'resident',
          phone,
          displayName: `居民${phone.slice(-4)}`,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
    }
    if (!account) throw new Error('resident account was not created');
    if (account.status !== 'active') return fail(accountDisabled());
    await tx.update(accounts).set({ lastSignInAt: now }).where(eq(accounts.id, account.id));
    await endPreviousSession(tx, ctx, now);
    const session = await createSession(
      tx,
      deps.config,
      {
        accountId: account.id,
        districtId: account.districtId,
        stage: 'full',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      },
      now,
    );
    const as = actingAs(ctx, account, session.id);
    if (created) {
      await writeAudit(tx, as, {
        action: 'account.register',
        entityType: 'account',
        entityId: account.id,
        districtId: account.districtId,
        after: { kind: 'resident', phone, displayName: account.displayName },
      });
    }
    await writeAudit(tx, as, {
      action: 'auth.sign_in',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      note: { method: 'otp', stage: 'full' },
    });
    return {
      ok: true,
      value: { accountId: account.id, sessionId: session.id, token: session.token, stage: 'full' },
    };
  });
  // The session the browser came with was ended in the transaction.
  if (ctx.actor.accountId) sessionsChanged({ accountId: ctx.actor.accountId });
  return unwrap(outcome);
}

// ---------- staff: password, lock-out, TOTP ----------

/**
 * Signs staff in with username and password (POST /auth/login). Unknown usernames and wrong
 * passwords answer alike (401 `login-failed`, same time spent). The session is full, or a
 * half session waiting for a TOTP code (`totp`) or for TOTP enrolment (`totp_enrol`).
 */
export async function signInWithPassword(
  deps: AuthDeps,
  ctx: RequestContext,
  username: string,
  password: string,
): Promise<IssuedSession> {
  const now = deps.clock.now();
  const [account] = await deps.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.username, username.trim().toLowerCase()), eq(accounts.kind, 'staff')))
    .limit(1);
  if (!account?.passwordHash) {
    await verifyDummyPassword(password);
    throw loginFailed();
  }
  const lockedFor = lockRemainingSeconds(account.lockedUntil, now);
  if (lockedFor > 0) throw accountLocked(lockedFor);
  const ok = await verifyPassword(account.passwordHash, password).catch(() => false);
  if (!ok) {
    const seconds = await deps.db.transaction((tx) => countFailure(tx, deps, ctx, account, now, 'password'));
    throw seconds > 0 ? accountLocked(seconds) : loginFailed();
  }
  if (account.status !== 'active') throw accountDisabled();
  const stage: SessionStage = account.totpEnabled
    ? 'totp'
    : (await roleRequiresTotp(deps.db, account.id))
      ? 'totp_enrol'
      : 'full';

  const outcome = await deps.db.transaction(async (tx): Promise<Outcome<IssuedSession>> => {
    // Another process may have locked the account while the hash was being checked.
    const fresh = await loadAccount(tx, account.id, true);
    const lockedNow = lockRemainingSeconds(fresh.lockedUntil, now);
    if (lockedNow > 0) return fail(accountLocked(lockedNow));
    // With TOTP on, the password alone is not a success: failures keep counting until the code is right.
    if (stage !== 'totp') await recordSuccess(tx, account.id);
    if (stage === 'full')
      await tx.update(accounts).set({ lastSignInAt: now }).where(eq(accounts.id, account.id));
    await endPreviousSession(tx, ctx, now);
    const session = await createSession(
      tx,
      deps.config,
      { accountId: account.id, districtId: account.districtId, stage, ip: ctx.ip, userAgent: ctx.userAgent },
      now,
    );
    await writeAudit(tx, actingAs(ctx, account, session.id), {
      action: 'auth.sign_in',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      note: { method: 'password', stage },
    });
    return { ok: true, value: { accountId: account.id, sessionId: session.id, token: session.token, stage } };
  });
  // The session the browser came with was ended in the transaction.
  if (ctx.actor.accountId) sessionsChanged({ accountId: ctx.actor.accountId });
  return unwrap(outcome);
}

/**
 * Completes a staff sign-in with a TOTP code (POST /auth/totp): the half session is replaced by
 * a new full one under a new token. A wrong code counts toward lock-out; a lock ends the half
 * session (`endSession` on the thrown outcome tells the route to clear the cookies).
 */
export async function completeTotpSignIn(
  deps: AuthDeps,
  ctx: RequestContext,
  code: string,
): Promise<Outcome<IssuedSession>> {
  const { accountId, sessionId } = signedIn(ctx);
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx): Promise<Outcome<IssuedSession>> => {
    const account = await loadAccount(tx, accountId, true);
    const lockedFor = lockRemainingSeconds(account.lockedUntil, now);
    if (lockedFor > 0) {
      await revokeSessions(tx, accountId, sessionId, now);
      return fail(accountLocked(lockedFor), true);
    }
    if (!account.totpEnabled || !account.totpSecret)
      return fail(AppError.conflict('totp-not-enrolled', 'This account has no authenticator set up.'));
    const recovery = looksLikeRecoveryCode(code);
    let step: number | null = account.totpLastStep;
    let recoveryLeft: number | null = null;
    if (recovery) recoveryLeft = await useRecoveryCode(tx, accountId, code, now);
    else
      step = verifyTotp(openTotpSecret(deps, accountId, account.totpSecret), code, now, account.totpLastStep);
    if (recovery ? recoveryLeft === null : step === null) {
      const seconds = await countFailure(tx, deps, ctx, account, now, 'totp');
      if (seconds > 0) {
        await revokeSessions(tx, accountId, sessionId, now);
        return fail(accountLocked(seconds), true);
      }
      return fail(
        AppError.badRequest(
          'totp-invalid',
          'The authenticator or recovery code is wrong or was already used.',
          [{ field: 'body/code', message: 'is wrong', code: 'totp-invalid' }],
        ),
      );
    }
    await tx
      .update(accounts)
      .set({ totpLastStep: step, lastSignInAt: now, failedLogins: 0, lockedUntil: null })
      .where(eq(accounts.id, accountId));
    await revokeSessions(tx, accountId, sessionId, now);
    const session = await createSession(
      tx,
      deps.config,
      { accountId, districtId: account.districtId, stage: 'full', ip: ctx.ip, userAgent: ctx.userAgent },
      now,
    );
    await writeAudit(tx, actingAs(ctx, account, session.id), {
      action: 'auth.sign_in',
      entityType: 'account',
      entityId: accountId,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      note: recovery
        ? { method: 'recovery_code', stage: 'full', recoveryCodesLeft: recoveryLeft }
        : { method: 'totp', stage: 'full' },
    });
    return { ok: true, value: { accountId, sessionId: session.id, token: session.token, stage: 'full' } };
  });
  // After the commit: the half session has ended.
  sessionsChanged({ accountId });
  return result;
}

/** Starts TOTP enrolment (POST /me/totp/enrol): a new secret, pending until a code confirms it. */
export async function enrolTotp(
  deps: AuthDeps,
  ctx: RequestContext,
): Promise<{ secret: string; otpauthUrl: string }> {
  const { accountId } = signedIn(ctx);
  const secret = generateTotpSecret();
  const account = await deps.db.transaction(async (tx) => {
    const account = await loadAccount(tx, accountId, true);
    if (account.totpEnabled)
      throw AppError.conflict(
        'totp-already-enabled',
        'An authenticator is already set up; turn it off before setting up another.',
      );
    await tx
      .update(accounts)
      .set({
        totpSecret: deps.secrets.seal(secret, totpSecretContext(accountId)),
        totpLastStep: null,
        updatedAt: deps.clock.now(),
      })
      .where(eq(accounts.id, accountId));
    await writeAudit(tx, ctx, {
      action: 'account.totp_enrol',
      entityType: 'account',
      entityId: accountId,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      before: { totpSecret: account.totpSecret },
      after: { totpSecret: secret },
    });
    return account;
  });
  return { secret, otpauthUrl: otpauthUrl(secret, account.username ?? account.displayName) };
}

/**
 * Confirms the pending secret with a code and turns TOTP on (POST /me/totp/enable), with a new
 * set of recovery codes (returned once). A `totp_enrol` half session is then replaced by a full
 * one (returned for the cookies).
 */
export async function enableTotp(
  deps: AuthDeps,
  ctx: RequestContext,
  code: string,
  stage: SessionStage | null,
): Promise<{ issued: IssuedSession | null; recoveryCodes: string[] }> {
  const { accountId, sessionId } = signedIn(ctx);
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const account = await loadAccount(tx, accountId, true);
    if (account.totpEnabled)
      throw AppError.conflict('totp-already-enabled', 'The authenticator is already turned on.');
    if (!account.totpSecret)
      throw AppError.conflict('totp-not-enrolled', 'Start the set-up first (POST /me/totp/enrol).');
    const step = verifyTotp(openTotpSecret(deps, accountId, account.totpSecret), code, now, null);
    if (step === null)
      throw AppError.badRequest('totp-invalid', 'The authenticator code is wrong.', [
        { field: 'body/code', message: 'is wrong', code: 'totp-invalid' },
      ]);
    await tx
      .update(accounts)
      .set({ totpEnabled: true, totpLastStep: step, updatedAt: now })
      .where(eq(accounts.id, accountId));
    const recoveryCodes = await replaceRecoveryCodes(tx, accountId, now);
    let issued: IssuedSession | null = null;
    if (stage === 'totp_enrol') {
      await tx
        .update(accounts)
        .set({ lastSignInAt: now, failedLogins: 0, lockedUntil: null })
        .where(eq(accounts.id, accountId));
      await revokeSessions(tx, accountId, sessionId, now);
      const session = await createSession(
        tx,
        deps.config,
        { accountId, districtId: account.districtId, stage: 'full', ip: ctx.ip, userAgent: ctx.userAgent },
        now,
      );
      issued = { accountId, sessionId: session.id, token: session.token, stage: 'full' };
    }
    await writeAudit(tx, issued ? actingAs(ctx, account, issued.sessionId) : ctx, {
      action: 'account.totp_enable',
      entityType: 'account',
      entityId: accountId,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      before: { totpEnabled: false },
      after: { totpEnabled: true },
      note: { recoveryCodesGenerated: recoveryCodes.length, ...(issued ? { signedIn: true } : {}) },
    });
    return { issued, recoveryCodes };
  });
  // After the commit: a totp_enrol half session ended.
  sessionsChanged({ accountId });
  return result;
}

/** Turns TOTP off (POST /me/totp/disable); needs the password, refused while a held role requires TOTP. */
export async function disableTotp(deps: AuthDeps, ctx: RequestContext, password: string): Promise<void> {
  const { accountId } = signedIn(ctx);
  const account = await loadAccount(deps.db, accountId);
  if (await roleRequiresTotp(deps.db, accountId))
    throw AppError.forbidden(
      'A role you hold requires an authenticator; it cannot be turned off.',
      'totp-required',
    );
  await confirmPassword(deps, ctx, account, password, 'body/password');
  if (!account.totpEnabled && !account.totpSecret)
    throw AppError.conflict('totp-not-enrolled', 'No authenticator is set up for this account.');
  await deps.db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ totpEnabled: false, totpSecret: null, totpLastStep: null, updatedAt: deps.clock.now() })
      .where(eq(accounts.id, accountId));
    const recoveryCodesDeleted = await deleteRecoveryCodes(tx, accountId);
    await writeAudit(tx, ctx, {
      action: 'account.totp_disable',
      entityType: 'account',
      entityId: accountId,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      before: { totpEnabled: account.totpEnabled, totpSecret: account.totpSecret },
      after: { totpEnabled: false, totpSecret: null },
      note: { recoveryCodesDeleted },
    });
  });
}

/** How many recovery codes the caller has left (GET /me/recovery-codes). */
export async function getRecoveryCodeStatus(deps: AuthDeps, ctx: RequestContext) {
  return recoveryCodeStatus(deps.db, signedIn(ctx).accountId);
}

/**
 * A new set of recovery codes (POST /me/recovery-codes), which ends the old set. Needs the
 * password (a borrowed session must not be able to mint a way in) and TOTP turned on; audited.
 */
export async function regenerateRecoveryCodes(
  deps: AuthDeps,
  ctx: RequestContext,
  password: string,
): Promise<{ codes: string[]; generatedAt: string }> {
  const { accountId } = signedIn(ctx);
  const account = await loadAccount(deps.db, accountId);
  await confirmPassword(deps, ctx, account, password, 'body/password');
  if (!account.totpEnabled)
    throw AppError.conflict(
      'totp-not-enrolled',
      'Recovery codes come with an authenticator; set one up first.',
    );
  const now = deps.clock.now();
  const codes = await deps.db.transaction(async (tx) => {
    const before = await recoveryCodeStatus(tx, accountId);
    const codes = await replaceRecoveryCodes(tx, accountId, now);
    await writeAudit(tx, ctx, {
      action: 'account.recovery_codes_regenerate',
      entityType: 'account',
      entityId: accountId,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      note: { unusedBefore: before.remaining, generated: codes.length },
    });
    return codes;
  });
  return { codes, generatedAt: now.toISOString() };
}

// ---------- the caller's own account ----------

/** The caller's own account (GET /me). */
export async function getMe(deps: AuthDeps, ctx: RequestContext): Promise<Me> {
  return presentMe(deps.db, signedIn(ctx).accountId);
}

/**
 * Updates the caller's display name and, for residents, their home community or grid
 * (PATCH /me). Staff belong to the unit an administrator gives them.
 */
export async function updateMe(
  deps: AuthDeps,
  ctx: RequestContext,
  input: { displayName?: string; homeOrgUnitId?: string | null },
): Promise<Me> {
  const { accountId } = signedIn(ctx);
  const account = await loadAccount(deps.db, accountId);
  const next = { displayName: account.displayName, orgUnitId: account.orgUnitId };
  if (input.displayName !== undefined) {
    const name = input.displayName.trim();
    if (!name)
      throw AppError.validation([
        { field: 'body/displayName', message: 'must not be blank', code: 'minLength' },
      ]);
    next.displayName = name;
  }
  if (input.homeOrgUnitId !== undefined) {
    if (account.kind !== 'resident')
      throw AppError.forbidden(
        'A staff account belongs to the unit an administrator sets; only the display name can be changed here.',
      );
    const field = 'body/homeOrgUnitId';
    if (input.homeOrgUnitId === null) next.orgUnitId = null;
    else {
      const [unit] = await deps.db
        .select({
          id: orgUnits.id,
          districtId: orgUnits.districtId,
          kind: orgUnits.kind,
          status: orgUnits.status,
        })
        .from(orgUnits)
        .where(eq(orgUnits.id, input.homeOrgUnitId))
        .limit(1);
      if (!unit || unit.districtId !== account.districtId)
        throw AppError.validation([{ field, message: 'no such community or grid', code: 'not-found' }]);
      if (unit.status !== 'active')
        throw AppError.badRequest('org-unit-retired', 'This community or grid no longer exists.', [
          { field, message: 'is retired', code: 'org-unit-retired' },
        ]);
      if (unit.kind !== 'community' && unit.kind !== 'grid')
        throw AppError.badRequest('org-unit-kind', 'A home must be a community (村/社区) or a grid.', [
          { field, message: 'must be a community or a grid', code: 'org-unit-kind' },
        ]);
      next.orgUnitId = unit.id;
    }
  }
  if (next.displayName !== account.displayName || next.orgUnitId !== account.orgUnitId) {
    await deps.db.transaction(async (tx) => {
      await tx
        .update(accounts)
        .set({ ...next, updatedAt: deps.clock.now() })
        .where(eq(accounts.id, accountId));
      await writeAudit(tx, ctx, {
        action: 'account.update_self',
        entityType: 'account',
        entityId: accountId,
        orgUnitId: next.orgUnitId,
        districtId: account.districtId,
        before: { displayName: account.displayName, orgUnitId: account.orgUnitId },
        after: next,
      });
    });
    // After the commit: cached sessions carry the display name.
    sessionsChanged({ accountId });
  }
  return presentMe(deps.db, accountId);
}

/**
 * Changes a staff password (POST /me/password): the current one must be right, the new one
 * must differ and pass the policy. Every other session of the account is signed out.
 */
export async function changePassword(
  deps: AuthDeps,
  ctx: RequestContext,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const { accountId, sessionId } = signedIn(ctx);
  const account = await loadAccount(deps.db, accountId);
  await confirmPassword(deps, ctx, account, input.currentPassword, 'body/currentPassword');
  if (input.newPassword === input.currentPassword)
    throw AppError.badRequest('password-reused', 'The new password must differ from the current one.', [
      { field: 'body/newPassword', message: 'is the current password', code: 'password-reused' },
    ]);
  checkPasswordPolicy(input.newPassword, account.username, 'body/newPassword');
  const passwordHash = await hashPassword(input.newPassword);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ passwordHash, passwordChangedAt: now, mustChangePassword: false, updatedAt: now })
      .where(eq(accounts.id, accountId));
    const revoked = await revokeOtherSessions(tx, accountId, sessionId, now);
    await writeAudit(tx, ctx, {
      action: 'account.password_change',
      entityType: 'account',
      entityId: accountId,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      before: { passwordHash: account.passwordHash, mustChangePassword: account.mustChangePassword },
      after: { passwordHash, mustChangePassword: false },
      note: { otherSessionsRevoked: revoked },
    });
  });
  // After the commit: the other sessions have ended.
  sessionsChanged({ accountId });
}

// ---------- sessions ----------

/** The caller's own live sessions, the current one flagged (GET /me/sessions). */
export async function listSessions(deps: AuthDeps, ctx: RequestContext): Promise<Session[]> {
  const { accountId, sessionId } = signedIn(ctx);
  const now = deps.clock.now();
  const idleSince = new Date(now.getTime() - deps.config.sessionIdleMinutes * 60_000);
  const rows = await deps.db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.accountId, accountId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, idleSince),
      ),
    )
    .orderBy(desc(sessions.lastSeenAt), desc(sessions.id));
  return rows.map((r) => presentSession(r, sessionId));
}

/**
 * Signs one of the caller's own sessions out (POST /me/sessions/:id/revoke). Another
 * account's session answers 404. Returns whether it was the current one.
 */
export async function revokeOwnSession(
  deps: AuthDeps,
  ctx: RequestContext,
  id: string,
): Promise<{ current: boolean }> {
  const { accountId, sessionId } = signedIn(ctx);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const n = await revokeSessions(tx, accountId, id, now);
    if (n === 0) throw AppError.notFound('session');
    await writeAudit(tx, ctx, {
      action: 'auth.session_revoke',
      entityType: 'session',
      entityId: id,
      note: { current: id === sessionId },
    });
  });
  sessionsChanged({ accountId });
  return { current: id === sessionId };
}

/** Ends the current session, if any (POST /auth/logout). */
export async function logout(deps: AuthDeps, ctx: RequestContext): Promise<void> {
  const { accountId, sessionId } = ctx.actor;
  if (!accountId || !sessionId) return;
  await deps.db.transaction(async (tx) => {
    const n = await revokeSessions(tx, accountId, sessionId, deps.clock.now());
    if (n === 0) return;
    await writeAudit(tx, ctx, { action: 'auth.sign_out', entityType: 'session', entityId: sessionId });
  });
  sessionsChanged({ accountId });
}

/** Ends every session of the caller's account (POST /auth/logout-all). */
export async function logoutEverywhere(deps: AuthDeps, ctx: RequestContext): Promise<number> {
  const { accountId } = signedIn(ctx);
  const result = await deps.db.transaction(async (tx) => {
    const n = await revokeSessions(tx, accountId, undefined, deps.clock.now());
    await writeAudit(tx, ctx, {
      action: 'auth.sign_out_everywhere',
      entityType: 'account',
      entityId: accountId,
      note: { sessionsRevoked: n },
    });
    return n;
  });
  // After the commit: the account's cached sessions must not outlive the change.
  sessionsChanged({ accountId });
  return result;
}
