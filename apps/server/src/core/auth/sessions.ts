import { createHash, randomBytes } from 'node:crypto';
import type { Permission } from '@linli/contracts';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { accounts, orgUnits, roleGrants, sessions } from '../../modules/identity/schema';
import { rolePermissions } from '../roles';
import type { Actor, ActorGrant } from '../context';
import type { Executor } from '../db/client';

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
}

/** Loads the account's active grants with the paths and permissions the permission check needs. */
export async function loadGrants(db: Executor, accountId: string): Promise<ActorGrant[]> {
  const rows = await db
    .select({ roleCode: roleGrants.roleCode, orgUnitId: roleGrants.orgUnitId, orgPath: orgUnits.path })
    .from(roleGrants)
    .innerJoin(orgUnits, eq(orgUnits.id, roleGrants.orgUnitId))
    .where(
      and(eq(roleGrants.accountId, accountId), isNull(roleGrants.revokedAt), eq(orgUnits.status, 'active')),
    );
  return rows.map((r) => ({ ...r, permissions: new Set<Permission>(rolePermissions(r.roleCode)) }));
}

/**
 * Finds the session for a cookie token. An expired (idle or absolute) or revoked session, or
 * a disabled account, yields null with `expired` set so the caller can say "session expired".
 */
export async function resolveSession(
  db: Executor,
  config: Config,
  token: string,
  now: Date,
): Promise<ResolvedSession | { expired: true } | null> {
  const [row] = await db
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
    })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(eq(sessions.tokenHash, hashToken(token)))
    .limit(1);
  if (!row) return null;
  const idleLimit = row.lastSeenAt.getTime() + config.sessionIdleMinutes * 60_000;
  if (row.revokedAt || row.status !== 'active' || now.getTime() > idleLimit || now >= row.expiresAt) {
    return { expired: true };
  }
  // Refresh the idle clock at most once a minute: not a write on every request.
  if (now.getTime() - row.lastSeenAt.getTime() > 60_000) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.id));
  }
  const grants = row.kind === 'staff' && row.stage === 'full' ? await loadGrants(db, row.accountId) : [];
  return {
    sessionId: row.id,
    stage: row.stage,
    expired: false,
    actor: {
      kind: row.kind,
      accountId: row.accountId,
      districtId: row.districtId,
      displayName: row.displayName,
      grants,
      sessionId: row.id,
    },
  };
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

/** Revokes sessions: one by id, or all of an account's (sign out everywhere). */
export async function revokeSessions(db: Executor, accountId: string, sessionId?: string, now?: Date) {
  const where = sessionId
    ? and(eq(sessions.accountId, accountId), eq(sessions.id, sessionId), isNull(sessions.revokedAt))
    : and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt));
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now ?? sql`now()` })
    .where(where)
    .returning({ id: sessions.id });
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
  return rows.length;
}
