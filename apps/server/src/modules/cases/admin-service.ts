import type {
  BoundaryUpload,
  CaseCategoryUpdate,
  RoutingRuleUpsert,
  SquadCreate,
  SquadMemberAdd,
  SquadMemberUpdate,
} from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import { AppError } from '../../core/errors';
import type { Executor } from '../../core/db/client';
import { authorize, can, inScope, requirePermission, scopeFilter } from '../../core/permissions';
import { findAccount } from '../identity/accounts-service';
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
  boundariesUnder,
  findBoundary,
  findCategory,
  findSquad,
  listCategories,
  listRules,
  listSquads,
  membersOf,
  upsertBoundary,
} from './queries';
import {
  caseCategories,
  caseRoutingRules,
  cases as caseTable,
  patrolSessions,
  type SquadRow,
  squadMembers,
  squads,
  squads as squadTable,
} from './schema';
import { beijingDate } from '../calendar';
import type { CaseDeps } from './service';

/** Reference data and set-up of the module: categories, routing rules, squads, boundaries, cards. */

async function districtOf(deps: CaseDeps, ctx: RequestContext): Promise<OrgUnitInfo> {
  const id = ctx.actor.districtId ?? (await defaultDistrict(deps.db));
  const unit = await findOrgUnit(deps.db, id);
  if (!unit) throw AppError.notFound('district');
  return unit;
}

/**
 * The categories of the caller's district: the enabled ones for anyone (the resident app's
 * picker); with `includeDisabled` the disabled ones too, for holders of cases.manage at the
 * district only (the console's editor re-enables them). Anyone else asking for them gets 403
 * naming `querystring/includeDisabled` (401 when not signed in).
 */
export async function getCategories(deps: CaseDeps, ctx: RequestContext, includeDisabled = false) {
  const district = await districtOf(deps, ctx);
  if (includeDisabled) {
    if (ctx.actor.kind === 'anonymous') throw AppError.unauthenticated();
    if (!can(ctx.actor, 'cases.manage', district.path)) {
      throw new AppError(403, 'forbidden', 'Only cases.manage at the district lists disabled categories.', {
        errors: [
          {
            field: 'querystring/includeDisabled',
            message: 'needs the permission cases.manage',
            code: 'forbidden',
          },
        ],
      });
    }
  }
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

/** Squads of the caller's cases.read scope, with their members. */
export async function getSquads(deps: CaseDeps, ctx: RequestContext) {
  requirePermission(ctx.actor, 'cases.read');
  const district = await districtOf(deps, ctx);
  const squads = await listSquads(
    deps.db,
    district.id,
    scopeFilter(ctx.actor, 'cases.read', squadTable.orgUnitId),
  );
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

// Squad set-up (squads.manage over the squad's community: the district's and town's admins and the
// community's secretary): members are soft-removed (`active = false`) so patrols, cases and SLA
// cards that name them keep their history; re-adding reactivates.

/** One squad as GET /squads presents it: the row, its community, every member (removed ones too). */
async function squadView(deps: CaseDeps, squad: SquadRow) {
  const [members, community] = await Promise.all([
    membersOf(deps.db, [squad.id]),
    findOrgUnit(deps.db, squad.orgUnitId),
  ]);
  return { squad, community: community!, members };
}

/** The squad to change: 404 when absent or out of scope, 403 without squads.manage, 409 when retired. */
async function manageableSquad(deps: CaseDeps, ctx: RequestContext, squadId: string) {
  const squad = await findSquad(deps.db, squadId);
  const community = squad ? await findOrgUnit(deps.db, squad.orgUnitId) : null;
  if (!squad || !community) throw AppError.notFound('squad');
  authorize(ctx.actor, 'squads.manage', { orgPath: community.path }, 'squad');
  if (squad.status !== 'active') {
    throw AppError.conflict('conflict', 'The squad is retired.', { state: 'retired' });
  }
  return { squad, community };
}

const accountField = (message: string, code: string) => [{ field: 'body/accountId', message, code }];

/**
 * Who may join a squad: an active staff account of the district working in the squad's
 * community (or one of its grids), or in the town or district above it (执法队员 often belong to
 * the town's 综合行政执法 team). Anything else is 422 naming `body/accountId`.
 */
async function memberCandidate(deps: CaseDeps, accountId: string, community: OrgUnitInfo) {
  const account = await findAccount(deps.db, accountId);
  if (!account || account.districtId !== community.districtId) {
    throw AppError.unprocessable(
      'unprocessable',
      'No such account in the district.',
      accountField('is not an account of the district', 'not-found'),
    );
  }
  if (account.kind !== 'staff') {
    throw AppError.unprocessable(
      'staff-only',
      'Only staff accounts can join a squad.',
      accountField('is not a staff account', 'staff-only'),
    );
  }
  if (account.status !== 'active') {
    throw AppError.unprocessable(
      'unprocessable',
      'The account is disabled.',
      accountField('is disabled', 'disabled'),
    );
  }
  const unitPath = account.unit?.path;
  const nearby = !!unitPath && (community.path.startsWith(unitPath) || unitPath.startsWith(community.path));
  if (!nearby) {
    throw AppError.unprocessable(
      'unprocessable',
      `The account does not work in ${community.name} or the town or district above it.`,
      accountField(`does not work in ${community.name}`, 'area'),
    );
  }
  return account;
}

/** Creates the squad of a community that has no active one (squads.manage over the community). */
export async function createSquad(deps: CaseDeps, ctx: RequestContext, input: SquadCreate) {
  const community = await findOrgUnit(deps.db, input.communityId);
  if (!community || !inScope(ctx.actor, community.path)) {
    throw AppError.unprocessable('unprocessable', 'No such community.', [
      { field: 'body/communityId', message: 'is not a community you manage', code: 'not-found' },
    ]);
  }
  authorize(ctx.actor, 'squads.manage', { orgPath: community.path }, 'community');
  if (community.kind !== 'community') {
    throw AppError.unprocessable('org-unit-kind', 'A squad belongs to a community.', [
      { field: 'body/communityId', message: 'must be a community', code: 'kind' },
    ]);
  }
  if (community.status !== 'active') {
    throw AppError.conflict('org-unit-retired', `${community.name} is retired.`, {
      errors: [{ field: 'body/communityId', message: 'is retired', code: 'retired' }],
    });
  }
  const name = input.name.trim();
  if (name.length < 2) {
    throw AppError.validation([{ field: 'body/name', message: 'is too short', code: 'minLength' }]);
  }
  const now = deps.clock.now();
  const squad = await deps.db.transaction(async (tx) => {
    // One active squad per community (routing sends a community's cases to "its" squad).
    const [existing] = await tx
      .select({ id: squads.id })
      .from(squads)
      .where(and(eq(squads.orgUnitId, community.id), eq(squads.status, 'active')))
      .limit(1);
    if (existing) {
      throw AppError.conflict('conflict', `${community.name} already has a squad.`, {
        errors: [{ field: 'body/communityId', message: 'already has a squad', code: 'duplicate' }],
      });
    }
    const [row] = await tx
      .insert(squads)
      .values({
        districtId: community.districtId,
        orgUnitId: community.id,
        name,
        startedOn: input.startedOn ?? beijingDate(now),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await writeAudit(tx, ctx, {
      action: 'squad.create',
      entityType: 'squad',
      entityId: row!.id,
      orgUnitId: community.id,
      districtId: community.districtId,
      after: { name, orgUnitId: community.id, startedOn: input.startedOn ?? beijingDate(now) },
    });
    return row!;
  });
  return squadView(deps, squad);
}

/**
 * Adds a staff account to a squad with a duty (409 when already an active member; a removed
 * member is reactivated with the new duty).
 */
export async function addSquadMember(
  deps: CaseDeps,
  ctx: RequestContext,
  squadId: string,
  input: SquadMemberAdd,
) {
  const { squad, community } = await manageableSquad(deps, ctx, squadId);
  const account = await memberCandidate(deps, input.accountId, community);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(squadMembers)
      .where(and(eq(squadMembers.squadId, squad.id), eq(squadMembers.accountId, account.id)))
      .for('update');
    if (existing?.active) {
      throw AppError.conflict('conflict', `${account.displayName} is already a member of ${squad.name}.`, {
        errors: accountField('is already a member', 'duplicate'),
      });
    }
    let memberId: string;
    if (existing) {
      await tx
        .update(squadMembers)
        .set({ active: true, duty: input.duty, updatedAt: now })
        .where(eq(squadMembers.id, existing.id));
      memberId = existing.id;
    } else {
      const [row] = await tx
        .insert(squadMembers)
        .values({
          squadId: squad.id,
          accountId: account.id,
          duty: input.duty,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: squadMembers.id });
      memberId = row!.id;
    }
    await writeAudit(tx, ctx, {
      action: 'squad_member.add',
      entityType: 'squad_member',
      entityId: memberId,
      orgUnitId: community.id,
      districtId: community.districtId,
      before: existing ? { active: false, duty: existing.duty } : null,
      after: { active: true, duty: input.duty },
      note: { squadId: squad.id, accountId: account.id, displayName: account.displayName },
    });
  });
  return squadView(deps, squad);
}

/** The active membership row, locked; 404 when the account is not (or no longer) a member. */
async function lockActiveMember(tx: Executor, squadId: string, accountId: string) {
  const [row] = await tx
    .select()
    .from(squadMembers)
    .where(
      and(
        eq(squadMembers.squadId, squadId),
        eq(squadMembers.accountId, accountId),
        eq(squadMembers.active, true),
      ),
    )
    .for('update');
  if (!row) throw AppError.notFound('squad member');
  return row;
}

/** Changes a member's duty (执法队员 / 社区干部 / 一人双岗). */
export async function updateSquadMember(
  deps: CaseDeps,
  ctx: RequestContext,
  squadId: string,
  accountId: string,
  input: SquadMemberUpdate,
) {
  const { squad, community } = await manageableSquad(deps, ctx, squadId);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const member = await lockActiveMember(tx, squad.id, accountId);
    if (member.duty === input.duty) return;
    await tx
      .update(squadMembers)
      .set({ duty: input.duty, updatedAt: now })
      .where(eq(squadMembers.id, member.id));
    await writeAudit(tx, ctx, {
      action: 'squad_member.update',
      entityType: 'squad_member',
      entityId: member.id,
      orgUnitId: community.id,
      districtId: community.districtId,
      before: { duty: member.duty },
      after: { duty: input.duty },
      note: { squadId: squad.id, accountId },
    });
  });
  return squadView(deps, squad);
}

/**
 * Removes a member: the row stays with `active = false` (cases, patrols and cards keep naming
 * them); they stop seeing the squad's work at once (handlerContextOf reads active rows only).
 */
export async function removeSquadMember(
  deps: CaseDeps,
  ctx: RequestContext,
  squadId: string,
  accountId: string,
) {
  const { squad, community } = await manageableSquad(deps, ctx, squadId);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const member = await lockActiveMember(tx, squad.id, accountId);
    await tx
      .update(squadMembers)
      .set({ active: false, updatedAt: now })
      .where(eq(squadMembers.id, member.id));
    // A patrol the person has running for this squad ends with their membership.
    const ended = await tx
      .update(patrolSessions)
      .set({ status: 'ended', endedAt: now, updatedAt: now })
      .where(
        and(
          eq(patrolSessions.squadId, squad.id),
          eq(patrolSessions.accountId, accountId),
          eq(patrolSessions.status, 'active'),
        ),
      )
      .returning({ id: patrolSessions.id });
    for (const p of ended) {
      await writeAudit(tx, ctx, {
        action: 'patrol.stop',
        entityType: 'patrol',
        entityId: p.id,
        orgUnitId: community.id,
        districtId: community.districtId,
        before: { status: 'active' },
        after: { status: 'ended', endedAt: now.toISOString() },
        note: { reason: 'squad_member.remove' },
      });
    }
    await writeAudit(tx, ctx, {
      action: 'squad_member.remove',
      entityType: 'squad_member',
      entityId: member.id,
      orgUnitId: community.id,
      districtId: community.districtId,
      before: { active: true },
      after: { active: false },
      note: { squadId: squad.id, accountId, duty: member.duty },
    });
  });
  return squadView(deps, squad);
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

/** At most this many outlines in one answer (a district has about a hundred communities). */
export const MAX_BOUNDARIES = 500;

/**
 * The outlines of one level (towns, communities or grids) under an org unit, for the case map.
 * Towns' and communities' are public like each one's own; grids only where the caller has
 * org.read (others are left out, as a grid's single boundary answers 404 to them).
 */
export async function getBoundariesUnder(
  deps: CaseDeps,
  ctx: RequestContext,
  orgUnitId: string,
  kind: 'town' | 'community' | 'grid',
) {
  const unit = await findOrgUnit(deps.db, orgUnitId);
  if (!unit) throw AppError.notFound('org unit');
  const rows = await boundariesUnder(deps.db, unit.path, kind, MAX_BOUNDARIES);
  return kind === 'grid' ? rows.filter((r) => can(ctx.actor, 'org.read', r.unit.path)) : rows;
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

/** Yellow and red cards per unit, of the cases in the caller's cases.read scope, with unit names. */
export async function getSlaCards(deps: CaseDeps, ctx: RequestContext) {
  requirePermission(ctx.actor, 'cases.read');
  const district = await districtOf(deps, ctx);
  const rows = await cardCounts(
    deps.db,
    district.id,
    undefined,
    scopeFilter(ctx.actor, 'cases.read', caseTable.orgUnitId),
  );
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
