import type { PatrolDetail, PatrolPoint, PatrolQuery, PatrolSession } from '@linli/contracts';
import { and, asc, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { holds, requirePermission, scopeFilter } from '../../core/permissions';
import { accountDisplayNames, orgUnitsByIds } from '../identity/lookups';
import { handlerContextOf } from './queries';
import { cases, type PatrolSessionRow, patrolPoints, patrolSessions, squads } from './schema';
import type { CaseDeps } from './service';

/**
 * 巡查 (patrols): a squad member starts one, the phone sends its route in batches of points, the
 * member stops it. Cases the member files meanwhile are attached to it (reportCase looks up the
 * active patrol). One active patrol per person (a partial unique index backs the check). Staff
 * with cases.read over the squad's community see its patrols; members always see their own.
 */

const EARTH_M = 6_371_008.8;
/** Great-circle distance in metres. */
export function metresBetween(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** How far a point's time may be ahead of the server's clock (phone clocks drift). */
const CLOCK_SKEW_MS = 2 * 60_000;

/** The active patrol of an account, if any (reportCase attaches patrol cases to it). */
export async function activePatrolOf(db: Executor, accountId: string): Promise<PatrolSessionRow | null> {
  const [row] = await db
    .select()
    .from(patrolSessions)
    .where(and(eq(patrolSessions.accountId, accountId), eq(patrolSessions.status, 'active')))
    .limit(1);
  return row ?? null;
}

function memberOnly(ctx: RequestContext) {
  const { actor } = ctx;
  if (actor.kind !== 'staff' || !actor.accountId) throw AppError.forbidden('Only squad members patrol.');
  requirePermission(actor, 'cases.handle');
  return actor.accountId;
}

export async function startPatrol(deps: CaseDeps, ctx: RequestContext, body: { squadId?: string }) {
  const accountId = memberOnly(ctx);
  const { squadIds } = await handlerContextOf(deps.db, accountId);
  if (squadIds.size === 0) throw AppError.forbidden('Only members of a squad patrol.');
  let squadId = body.squadId;
  if (squadId && !squadIds.has(squadId)) throw AppError.forbidden('You are not a member of that squad.');
  if (!squadId) {
    if (squadIds.size > 1) {
      throw AppError.validation(
        [
          {
            field: 'body/squadId',
            message: 'is required: you belong to more than one squad',
            code: 'required',
          },
        ],
        'Invalid fields: body/squadId.',
      );
    }
    squadId = [...squadIds][0]!;
  }
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    const active = await activePatrolOf(tx, accountId);
    if (active) {
      throw AppError.conflict('conflict', 'You already have a patrol under way; stop it first.', {
        state: 'active',
      });
    }
    const [row] = await tx
      .insert(patrolSessions)
      .values({
        districtId: ctx.actor.districtId!,
        squadId: squadId!,
        accountId,
        status: 'active',
        startedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const [squad] = await tx.select().from(squads).where(eq(squads.id, squadId!));
    await writeAudit(tx, ctx, {
      action: 'patrol.start',
      entityType: 'patrol',
      entityId: row!.id,
      orgUnitId: squad!.orgUnitId,
      after: { squadId, startedAt: now.toISOString() },
    });
    return row!.id;
  });
  return getPatrol(deps, ctx, id);
}

/** Locks the caller's own active patrol, or answers 404 (not theirs) / 409 (ended). */
async function lockOwnActive(tx: Executor, accountId: string, id: string): Promise<PatrolSessionRow> {
  const [session] = await tx.select().from(patrolSessions).where(eq(patrolSessions.id, id)).for('update');
  if (!session || session.accountId !== accountId) throw AppError.notFound('patrol');
  if (session.status !== 'active') throw AppError.invalidTransition(session.status, 'patrol');
  return session;
}

export async function addPatrolPoints(
  deps: CaseDeps,
  ctx: RequestContext,
  id: string,
  points: PatrolPoint[],
) {
  const accountId = memberOnly(ctx);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const session = await lockOwnActive(tx, accountId, id);
    const bad = points.flatMap((p, i) => {
      const at = Date.parse(p.at);
      if (at < session.startedAt.getTime() || at > now.getTime() + CLOCK_SKEW_MS) {
        return [{ field: `body/points/${i}/at`, message: 'is outside the patrol', code: 'range' }];
      }
      return [];
    });
    if (bad.length) throw AppError.validation(bad, `Invalid fields: ${bad.map((b) => b.field).join(', ')}.`);
    const [last] = await tx
      .select()
      .from(patrolPoints)
      .where(eq(patrolPoints.sessionId, id))
      .orderBy(desc(patrolPoints.at))
      .limit(1);
    const sorted = [...points].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    let distance = 0;
    let previous: { lat: number; lng: number } | undefined = last;
    for (const p of sorted) {
      if (previous) distance += metresBetween(previous, p);
      previous = p;
    }
    await tx
      .insert(patrolPoints)
      .values(sorted.map((p) => ({ sessionId: id, at: new Date(p.at), lat: p.lat, lng: p.lng })));
    const [updated] = await tx
      .update(patrolSessions)
      .set({
        distanceM: sql`${patrolSessions.distanceM} + ${distance}`,
        pointCount: sql`${patrolSessions.pointCount} + ${sorted.length}`,
        updatedAt: now,
      })
      .where(eq(patrolSessions.id, id))
      .returning();
    // Points are telemetry: the start and the stop are audited, with the totals.
    return { pointCount: updated!.pointCount, distanceM: Math.round(updated!.distanceM) };
  });
}

export async function stopPatrol(deps: CaseDeps, ctx: RequestContext, id: string) {
  const accountId = memberOnly(ctx);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const session = await lockOwnActive(tx, accountId, id);
    await tx
      .update(patrolSessions)
      .set({ status: 'ended', endedAt: now, updatedAt: now })
      .where(eq(patrolSessions.id, id));
    const [squad] = await tx.select().from(squads).where(eq(squads.id, session.squadId));
    await writeAudit(tx, ctx, {
      action: 'patrol.stop',
      entityType: 'patrol',
      entityId: id,
      orgUnitId: squad!.orgUnitId,
      before: { status: 'active' },
      after: {
        status: 'ended',
        endedAt: now.toISOString(),
        pointCount: session.pointCount,
        distanceM: Math.round(session.distanceM),
      },
    });
  });
  return getPatrol(deps, ctx, id);
}

/** Patrols the caller may see: their own, or their squads' community under cases.read. */
function visibleTo(ctx: RequestContext): SQL {
  const { actor } = ctx;
  const own = actor.accountId ? eq(patrolSessions.accountId, actor.accountId) : sql`false`;
  if (!holds(actor, 'cases.read')) return own;
  return or(own, scopeFilter(actor, 'cases.read', squads.orgUnitId))!;
}

type Listed = { p: PatrolSessionRow; squadName: string; communityId: string; caseCount: number };

async function present(deps: CaseDeps, rows: Listed[]): Promise<PatrolSession[]> {
  const units = await orgUnitsByIds(
    deps.db,
    rows.map((r) => r.communityId),
  );
  const names = await accountDisplayNames(
    deps.db,
    rows.map((r) => r.p.accountId),
  );
  return rows.map(({ p, squadName, communityId, caseCount }) => {
    const unit = units.get(communityId)!;
    return {
      id: p.id,
      squad: {
        id: p.squadId,
        name: squadName,
        community: { id: unit.id, name: unit.name, code: unit.code, kind: unit.kind },
      },
      member: { id: p.accountId, displayName: names.get(p.accountId) ?? '' },
      status: p.status,
      startedAt: p.startedAt.toISOString(),
      endedAt: p.endedAt?.toISOString() ?? null,
      distanceM: Math.round(p.distanceM),
      pointCount: p.pointCount,
      caseCount: Number(caseCount),
    };
  });
}

const caseCount = sql<number>`(SELECT count(*)::int FROM cases c WHERE c.patrol_session_id = "patrol_sessions"."id")`;

function listed(db: Executor) {
  return db
    .select({ p: patrolSessions, squadName: squads.name, communityId: squads.orgUnitId, caseCount })
    .from(patrolSessions)
    .innerJoin(squads, eq(squads.id, patrolSessions.squadId));
}

export async function listPatrols(deps: CaseDeps, ctx: RequestContext, q: PatrolQuery) {
  if (ctx.actor.kind !== 'staff') throw AppError.forbidden('Only staff see patrols.');
  const where: SQL[] = [visibleTo(ctx)];
  if (q.mine)
    where.push(ctx.actor.accountId ? eq(patrolSessions.accountId, ctx.actor.accountId) : sql`false`);
  if (q.squadId) where.push(eq(patrolSessions.squadId, q.squadId));
  if (q.status) where.push(eq(patrolSessions.status, q.status));
  const rows = await listed(deps.db)
    .where(and(...where))
    .orderBy(desc(patrolSessions.startedAt), desc(patrolSessions.id))
    .limit(q.limit ?? 50);
  return { items: await present(deps, rows) };
}

export async function getPatrol(deps: CaseDeps, ctx: RequestContext, id: string): Promise<PatrolDetail> {
  if (ctx.actor.kind !== 'staff') throw AppError.forbidden('Only staff see patrols.');
  const [row] = await listed(deps.db)
    .where(and(eq(patrolSessions.id, id), visibleTo(ctx)))
    .limit(1);
  if (!row) throw AppError.notFound('patrol');
  const [session] = await present(deps, [row]);
  const points = await deps.db
    .select({ at: patrolPoints.at, lat: patrolPoints.lat, lng: patrolPoints.lng })
    .from(patrolPoints)
    .where(eq(patrolPoints.sessionId, id))
    .orderBy(asc(patrolPoints.at));
  const found = await deps.db
    .select({ id: cases.id, number: cases.number, categoryCode: cases.categoryCode, status: cases.status })
    .from(cases)
    .where(inArray(cases.patrolSessionId, [id]))
    .orderBy(asc(cases.id));
  return {
    ...session!,
    points: points.map((p) => ({ at: p.at.toISOString(), lat: p.lat, lng: p.lng })),
    cases: found,
  };
}
