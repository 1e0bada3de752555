import { createHash, randomBytes } from 'node:crypto';
import type { Permission } from '@linli/contracts';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { accounts, sessions } from '../../modules/identity/schema';
import { rolePermissions } from '../roles';
import type { Actor, ActorGrant } from '../context';
import type { Executor } from '../db/client';
import { preparedQuery } from '../db/prepared';
import { cachedSession, rememberSession, sessionGeneration, sessionsChanged } from './session-cache';

export const SESSION_COOKIE = 'linli_session';
export const CSRF_COOKIE = 'linli_csrf';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export type SessionStage = 'full' | 'totp' | 'totp_enrol';

export interface ResolvedSession {
  actor: Actor;
  stage: SessionStage;
  sessionId: string;
  expired: boolean;
  /** A resident who has not agreed to the district's privacy notice in force (core/http.ts gates on it). */
  consentPending: boolean;
}

type GrantJson = Omit<ActorGrant, 'permissions'>;
const grantsOf = (v: unknown): GrantJson[] =>
  (typeof v === 'string' ? JSON.parse(v) : (v ?? [])) as GrantJson[];

/**
 * The session with its account, the privacy notice in force (residents) and, for a full staff
 * session, its active grants on active units with their paths (as JSON): a session is one
 * prepared statement.
 */
const sessionQuery = preparedQuery('auth_session', (db, name) =>
  db
    .select({
      id: sessions.id,
      stage: sessions.stage,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      revokedAt: sessions.revokedAt,
      accountId: accounts.id,
      kind: accounts.kind,
      districtId: accounts.districtId,
      displayName: accounts.displayName,
      status: accounts.status,
      consentedVersion: accounts.privacyConsentVersion,
      // The privacy notice in force in the account's district (residents only are asked).
      noticeVersion: sql<
        number | null
      >`CASE WHEN ${accounts.kind} = 'resident' THEN (SELECT max(pn.version) FROM privacy_notices pn WHERE pn.district_id = ${accounts.districtId}) END`,
      grants: sql<unknown>`CASE WHEN ${accounts.kind} = 'staff' AND ${sessions.stage} = 'full' THEN (
        SELECT coalesce(json_agg(json_build_object('roleCode', g.role_code, 'orgUnitId', g.org_unit_id, 'orgPath', u.path)), '[]'::json)
        FROM role_grants g JOIN org_units u ON u.id = g.org_unit_id
        WHERE g.account_id = ${accounts.id} AND g.revoked_at IS NULL AND u.status = 'active') END`,
    })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .limit(1)
    .prepare(name),
);

/** The idle clock is written at most this often: not a write on every request. */
const IDLE_REFRESH_MS = 60_000;

/**
 * Finds the session for a cookie token. An expired (idle or absolute) or revoked session, or
 * a disabled account, yields null with `expired` set so the caller can say "session expired".
 *
 * A session resolved in the last few seconds comes from the in-process cache (session-cache.ts)
 * when its idle and absolute expiry still hold and its idle clock is not due for a refresh; every
 * write that changes a session, its account or its grants evicts it.
 */
export async function resolveSession(
  db: Executor,
  config: Config,
  token: string,
  now: Date,
): Promise<ResolvedSession | { expired: true } | null> {
  const tokenHash = hashToken(token);
  const idleMs = config.sessionIdleMinutes * 60_000;
  const hit = cachedSession(db, tokenHash, now.getTime(), idleMs, IDLE_REFRESH_MS);
  if (hit)
    return {
      sessionId: hit.sessionId,
      stage: hit.stage,
      expired: false,
      actor: hit.actor,
      consentPending: hit.consentPending,
    };
  // Taken before reading: an invalidation while we read means our rows may be stale; don't cache them.
  const generation = sessionGeneration();
  const [row] = await sessionQuery(db).execute({ tokenHash });
  if (!row) return null;
  const idleLimit = row.lastSeenAt.getTime() + idleMs;
  if (row.revokedAt || row.status !== 'active' || now.getTime() > idleLimit || now >= row.expiresAt) {
    return { expired: true };
  }
  let lastSeenAt = row.lastSeenAt.getTime();
  if (now.getTime() - lastSeenAt > IDLE_REFRESH_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.id));
    lastSeenAt = now.getTime();
  }
  const grants: ActorGrant[] = grantsOf(row.grants).map((g) => ({
    ...g,
    permissions: new Set<Permission>(rolePermissions(g.roleCode)),
  }));
  const actor: Actor = {
    kind: row.kind,
    accountId: row.accountId,
    districtId: row.districtId,
    displayName: row.displayName,
    grants,
    sessionId: row.id,
  };
  const noticeVersion = row.noticeVersion === null ? null : Number(row.noticeVersion);
  const consentPending = noticeVersion !== null && (row.consentedVersion ?? 0) < noticeVersion;
  rememberSession(
    tokenHash,
    {
      source: db,
      sessionId: row.id,
      stage: row.stage,
      actor,
      lastSeenAt,
      expiresAt: row.expiresAt.getTime(),
      consentPending,
    },
    generation,
  );
  return { sessionId: row.id, stage: row.stage, expired: false, actor, consentPending };
}

/** Creates a session row and returns its token (only the hash is stored). */
export async function createSession(
  db: Executor,
  config: Config,
  input: {
    accountId: string;
    districtId: string;
    stage: SessionStage;
    ip: string | null;
    userAgent: string | null;
  },
  now: Date,
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = newToken();
  // A half-finished staff sign-in (waiting for TOTP) lives ten minutes at most.
  const lifetimeMs = input.stage === 'full' ? config.sessionAbsoluteHours * 3_600_000 : 10 * 60_000;
  const expiresAt = new Date(now.getTime() + lifetimeMs);
  const [row] = await db
    .insert(sessions)
    .values({
      accountId: input.accountId,
      districtId: input.districtId,
      tokenHash: hashToken(token),
      stage: input.stage,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 400) ?? null,
    })
    .returning({ id: sessions.id });
  return { id: row!.id, token, expiresAt };
}

function secure(config: Config, req: FastifyRequest) {
  if (config.cookieSecure === 'always') return true;
  if (config.cookieSecure === 'never') return false;
  return req.protocol === 'https';
}

/** Sets the httpOnly session cookie and the readable CSRF cookie. */
export function setSessionCookies(config: Config, req: FastifyRequest, reply: FastifyReply, token: string) {
  const base = { path: '/', sameSite: 'lax' as const, secure: secure(config, req) };
  reply.setCookie(SESSION_COOKIE, token, { ...base, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, randomBytes(18).toString('base64url'), { ...base, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

/**
 * Revokes sessions: one by id, or all of an account's (sign out everywhere). Evicts the account's
 * cached sessions; the caller evicts again once its transaction commits (`sessionsChanged`).
 */
export async function revokeSessions(db: Executor, accountId: string, sessionId?: string, now?: Date) {
  const where = sessionId
    ? and(eq(sessions.accountId, accountId), eq(sessions.id, sessionId), isNull(sessions.revokedAt))
    : and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt));
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now ?? sql`now()` })
    .where(where)
    .returning({ id: sessions.id });
  sessionsChanged({ accountId });
  return rows.length;
}

/** Revokes every session of an account except `keepSessionId` (after a password change). */
export async function revokeOtherSessions(
  db: Executor,
  accountId: string,
  keepSessionId: string,
  now?: Date,
) {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now ?? sql`now()` })
    .where(and(eq(sessions.accountId, accountId), ne(sessions.id, keepSessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  sessionsChanged({ accountId });
  return rows.length;
}
