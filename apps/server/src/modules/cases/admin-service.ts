import type { BoundaryUpload, CaseCategoryUpdate, RoutingRuleUpsert } from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import { AppError } from '../../core/errors';
import { authorize, requirePermission } from '../../core/permissions';
import {
  accountDisplayNames,
  defaultDistrict,
  findDepartment,
  findOrgUnit,
  listDepartments,
  type OrgUnitInfo,
  orgUnitsByIds,
} from '../identity/lookups';
import { type AreaGeometry, bbox, validateGeometry } from './geometry';
import {
  cardCounts,
  findBoundary,
  findCategory,
  listCategories,
  listRules,
  listSquads,
  membersOf,
  upsertBoundary,
} from './queries';
import { caseCategories, caseRoutingRules } from './schema';
import type { CaseDeps } from './service';

/** Reference data and set-up of the module: categories, routing rules, squads, boundaries, cards. */

async function districtOf(deps: CaseDeps, ctx: RequestContext): Promise<OrgUnitInfo> {
  const id = ctx.actor.districtId ?? (await defaultDistrict(deps.db));
  const unit = await findOrgUnit(deps.db, id);
  if (!unit) throw AppError.notFound('district');
  return unit;
}

/** The categories of the caller's district (anyone: the resident app's picker). */
export async function getCategories(deps: CaseDeps, ctx: RequestContext, includeDisabled = false) {
  const district = await districtOf(deps, ctx);
  const rows = await listCategories(deps.db, district.id);
  return includeDisabled ? rows : rows.filter((r) => r.enabled);
}

/** Edits a category's name, urgency, SLA, evidence or enabled flag (cases.manage at the district). */
export async function updateCategory(
  deps: CaseDeps,
  ctx: RequestContext,
  code: string,
  input: CaseCategoryUpdate,
) {
  const district = await districtOf(deps, ctx);
  authorize(ctx.actor, 'cases.manage', { orgPath: district.path }, 'category');
  const before = await findCategory(deps.db, district.id, code);
  if (!before) throw AppError.notFound('category');
  if (input.sla) {
    const unknown = Object.keys(input.sla).filter(
      (k) => !['register', 'dispatch', 'accept', 'handle', 'verify'].includes(k),
    );
    if (unknown.length)
      throw AppError.validation(
        unknown.map((k) => ({
          field: `body/sla/${k}`,
          message: 'is not a step with a deadline',
          code: 'enum',
        })),
      );
  }
  const set = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.urgent !== undefined ? { urgent: input.urgent } : {}),
    ...(input.sla ? { sla: { ...before.sla, ...input.sla } } : {}),
    ...(input.evidence ? { evidence: input.evidence } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
  };
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(caseCategories)
      .set({ ...set, updatedAt: now })
      .where(and(eq(caseCategories.districtId, district.id), eq(caseCategories.code, code)))
      .returning();
    await writeAudit(tx, ctx, {
      action: 'case_category.update',
      entityType: 'case_category',
      entityId: before.id,
      orgUnitId: district.id,
      districtId: district.id,
      before: Object.fromEntries(Object.keys(set).map((k) => [k, before[k as keyof typeof before]])),
      after: set,
    });
    return row!;
  });
}

/** The routing rules with department names. */
export async function getRules(deps: CaseDeps, ctx: RequestContext) {
  requirePermission(ctx.actor, 'cases.read');
  const district = await districtOf(deps, ctx);
  const [rules, depts] = await Promise.all([
    listRules(deps.db, district.id),
    listDepartments(deps.db, district.id),
  ]);
  const names = new Map(depts.map((d) => [d.id, d.name]));
  return rules.map((r) => ({
    categoryCode: r.categoryCode,
    handlerKind: r.handlerKind,
    department: r.departmentId ? { id: r.departmentId, name: names.get(r.departmentId) ?? '' } : null,
  }));
}

/** Sets the rule of a category code or prefix (cases.manage at the district). */
export async function upsertRule(
  deps: CaseDeps,
  ctx: RequestContext,
  code: string,
  input: RoutingRuleUpsert,
) {
  const district = await districtOf(deps, ctx);
  authorize(ctx.actor, 'cases.manage', { orgPath: district.path }, 'routing rule');
  if (!(await findCategory(deps.db, district.id, code))) throw AppError.notFound('category');
  let departmentId: string | null = null;
  if (input.handlerKind === 'department') {
    const d = input.departmentId ? await findDepartment(deps.db, input.departmentId) : null;
    if (!d || d.districtId !== district.id) {
      throw AppError.validation([
        { field: 'body/departmentId', message: 'must name a department of the district', code: 'required' },
      ]);
    }
    departmentId = d.id;
  }
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(caseRoutingRules)
      .where(and(eq(caseRoutingRules.districtId, district.id), eq(caseRoutingRules.categoryCode, code)));
    await tx
      .insert(caseRoutingRules)
      .values({
        districtId: district.id,
        categoryCode: code,
        handlerKind: input.handlerKind,
        departmentId,
        updatedBy: ctx.actor.accountId,
      })
      .onConflictDoUpdate({
        target: [caseRoutingRules.districtId, caseRoutingRules.categoryCode],
        set: { handlerKind: input.handlerKind, departmentId, updatedBy: ctx.actor.accountId, updatedAt: now },
      });
    await writeAudit(tx, ctx, {
      action: 'case_rule.upsert',
      entityType: 'case_routing_rule',
      entityId: code,
      orgUnitId: district.id,
      districtId: district.id,
      before: before ? { handlerKind: before.handlerKind, departmentId: before.departmentId } : null,
      after: { handlerKind: input.handlerKind, departmentId },
    });
  });
  return getRules(deps, ctx);
}

/** Squads of the district with their members (staff with cases.read). */
export async function getSquads(deps: CaseDeps, ctx: RequestContext) {
  requirePermission(ctx.actor, 'cases.read');
  const district = await districtOf(deps, ctx);
  const squads = await listSquads(deps.db, district.id);
  const [members, units] = await Promise.all([
    membersOf(
      deps.db,
      squads.map((s) => s.id),
    ),
    orgUnitsByIds(
      deps.db,
      squads.map((s) => s.orgUnitId),
    ),
  ]);
  return squads.map((s) => ({
    squad: s,
    community: units.get(s.orgUnitId)!,
    members: members.filter((m) => m.squadId === s.id),
  }));
}

/** An org unit's boundary (staff). */
export async function getBoundary(deps: CaseDeps, ctx: RequestContext, orgUnitId: string) {
  const unit = await findOrgUnit(deps.db, orgUnitId);
  if (!unit) throw AppError.notFound('org unit');
  if (unit.kind === 'grid') authorize(ctx.actor, 'org.read', { orgPath: unit.path }, 'org unit');
  const row = await findBoundary(deps.db, orgUnitId);
  if (!row) throw AppError.notFound('boundary');
  return { unit, row };
}

/**
 * Replaces an org unit's boundary with an uploaded GeoJSON Polygon or MultiPolygon (or a Feature
 * of one): checked for closed rings, no self-crossing, holes inside; cases.manage over the unit.
 */
export async function putBoundary(
  deps: CaseDeps,
  ctx: RequestContext,
  orgUnitId: string,
  input: BoundaryUpload,
) {
  const unit = await findOrgUnit(deps.db, orgUnitId);
  if (!unit) throw AppError.notFound('org unit');
  authorize(ctx.actor, 'cases.manage', { orgPath: unit.path }, 'org unit');
  const geometry = (input.type === 'Feature' ? input.geometry : input) as AreaGeometry;
  const problems = validateGeometry(geometry);
  if (problems.length) {
    throw AppError.validation(
      problems.map((message) => ({ field: 'body/coordinates', message, code: 'geometry' })),
      `Invalid boundary: ${problems.join('; ')}.`,
    );
  }
  const [minLng, minLat, maxLng, maxLat] = bbox(geometry);
  const depth = { district: 0, town: 1, community: 2, grid: 3 }[unit.kind];
  const before = await findBoundary(deps.db, orgUnitId);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await upsertBoundary(tx, {
      orgUnitId,
      districtId: unit.districtId,
      depth,
      geometry,
      minLng,
      minLat,
      maxLng,
      maxLat,
      source: 'upload',
      updatedBy: ctx.actor.accountId,
      updatedAt: now,
    });
    await writeAudit(tx, ctx, {
      action: 'boundary.upload',
      entityType: 'org_unit_boundary',
      entityId: orgUnitId,
      orgUnitId,
      districtId: unit.districtId,
      before: before
        ? { source: before.source, bbox: [before.minLng, before.minLat, before.maxLng, before.maxLat] }
        : null,
      after: { source: 'upload', bbox: [minLng, minLat, maxLng, maxLat] },
    });
  });
  return getBoundary(deps, ctx, orgUnitId);
}

/** Yellow and red cards per unit of the district, with unit names (cases.read). */
export async function getSlaCards(deps: CaseDeps, ctx: RequestContext) {
  requirePermission(ctx.actor, 'cases.read');
  const district = await districtOf(deps, ctx);
  const rows = await cardCounts(deps.db, district.id);
  const squads = new Map((await listSquads(deps.db, district.id)).map((s) => [s.id, s.name]));
  const depts = new Map((await listDepartments(deps.db, district.id)).map((d) => [d.id, d.name]));
  const units = await orgUnitsByIds(
    deps.db,
    rows.filter((r) => r.unitKind === 'org_unit').map((r) => r.unitId),
  );
  const people = await accountDisplayNames(
    deps.db,
    rows.filter((r) => r.unitKind === 'person').map((r) => r.unitId),
  );
  const name = (kind: string, id: string) =>
    (kind === 'squad'
      ? squads.get(id)
      : kind === 'department'
        ? depts.get(id)
        : kind === 'person'
          ? people.get(id)
          : units.get(id)?.name) ?? '';
  return rows
    .map((r) => ({
      unit: { kind: r.unitKind, id: r.unitId, name: name(r.unitKind, r.unitId) },
      yellow: Number(r.yellow),
      red: Number(r.red),
    }))
    .sort((a, b) => b.red - a.red || b.yellow - a.yellow);
}
