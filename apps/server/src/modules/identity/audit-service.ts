import type { AuditQuery, OrgUnitKindCode } from '@linli/contracts';
import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { RequestContext } from '../../core/context';
import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize } from '../../core/permissions';
import { auditLog } from '../../core/schema';
import { auditScopePath, scopeFilterOrDistrictRoot } from './permissions';
import { accounts, orgUnits } from './schema';

export interface AuditRow {
  id: number;
  at: Date;
  districtId: string | null;
  actorId: string | null;
  actorName: string | null;
  actingForId: string | null;
  actingForName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  unit: { id: string; code: string; name: string; kind: OrgUnitKindCode; path: string } | null;
}

const actorAccount = alias(accounts, 'actor_account');
const actingForAccount = alias(accounts, 'acting_for_account');
const DIGITS = /^[0-9]{1,18}$/;

/** The audit row with the actor's names and the unit joined in: one statement per page or entry. */
function selectAudit(db: Executor) {
  return db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      districtId: auditLog.districtId,
      actorId: auditLog.actorId,
      actorName: actorAccount.displayName,
      actingForId: auditLog.actingForId,
      actingForName: actingForAccount.displayName,
      action: auditLog.action,
      entityType: auditLog.entityType,
      entityId: auditLog.entityId,
      changes: auditLog.changes,
      requestId: auditLog.requestId,
      ip: auditLog.ip,
      userAgent: auditLog.userAgent,
      unit: {
        id: orgUnits.id,
        code: orgUnits.code,
        name: orgUnits.name,
        kind: orgUnits.kind,
        path: orgUnits.path,
      },
    })
    .from(auditLog)
    .leftJoin(actorAccount, eq(actorAccount.id, auditLog.actorId))
    .leftJoin(actingForAccount, eq(actingForAccount.id, auditLog.actingForId))
    .leftJoin(orgUnits, eq(orgUnits.id, auditLog.orgUnitId));
}

/**
 * GET /audit: newest first, within the caller's audit.read scope (entries without an org unit
 * only for holders at the district root). `from` is inclusive, `to` exclusive; `orgUnitId`
 * means that unit's subtree.
 */
export async function listAudit(
  db: Executor,
  ctx: RequestContext,
  q: AuditQuery,
): Promise<{ rows: AuditRow[]; nextCursor: string | null }> {
  const limit = q.limit ?? 20;
  if (q.cursor !== undefined && !DIGITS.test(q.cursor)) {
    throw AppError.validation([
      { field: 'querystring/cursor', message: 'is not a cursor from a previous page' },
    ]);
  }
  const conditions: (SQL | undefined)[] = [
    scopeFilterOrDistrictRoot(ctx.actor, 'audit.read', auditLog.orgUnitId, auditLog.districtId),
    q.cursor ? lt(auditLog.id, Number(q.cursor)) : undefined,
    q.entityType ? eq(auditLog.entityType, q.entityType) : undefined,
    q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
    q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
    q.to ? lt(auditLog.at, new Date(q.to)) : undefined,
    q.orgUnitId
      ? sql`${auditLog.orgUnitId} IN (SELECT d.id FROM org_units d, org_units r WHERE r.id = ${q.orgUnitId} AND d.path LIKE r.path || '%')`
      : undefined,
  ];
  const found: AuditRow[] = await selectAudit(db)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const rows = found.slice(0, limit);
  return { rows, nextCursor: found.length > limit ? String(rows[rows.length - 1]!.id) : null };
}

/** GET /audit/:id: 404 when absent or outside the caller's audit.read scope. */
export async function getAuditEntry(db: Executor, ctx: RequestContext, id: string): Promise<AuditRow> {
  const [row]: AuditRow[] = await selectAudit(db)
    .where(eq(auditLog.id, Number(id)))
    .limit(1);
  if (!row) throw AppError.notFound('audit entry');
  const orgPath = auditScopePath(ctx.actor, { orgPath: row.unit?.path ?? null, districtId: row.districtId });
  authorize(ctx.actor, 'audit.read', { orgPath }, 'audit entry');
  return row;
}
