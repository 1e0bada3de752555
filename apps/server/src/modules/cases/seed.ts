import { and, eq, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { listDepartments, listDistricts } from '../identity/lookups';
import orgData from '../identity/data/org-units.json' with { type: 'json' };
import { accounts, orgUnits } from '../identity/schema';
import { type DemoTown, generateDemoBoundaries, gridBands } from './boundaries-demo';
import data from './data/case-categories.json' with { type: 'json' };
import { bbox } from './geometry';
import {
  caseCategories,
  caseRoutingRules,
  orgUnitBoundaries,
  squadMembers,
  squads,
  type StepSlaValue,
} from './schema';

/**
 * Reference data of the module: categories from data/case-categories.json (its `note`: the major
 * classes follow GB/T 30428.2-2013; handlers and hours are illustrative defaults, not Luojiang
 * rules) and the routing rules derived from them. Loaded once per district; staff edits are kept.
 */

/** Major classes (and noise complaints) a community's squad handles; the rest go to departments. */
export const SQUAD_CATEGORY_CODES = ['01', '02', '05', '2101', '2102', '2103'] as const;

/** typicalHandler (first named body) → the responsible department of departments.json. */
const DEPARTMENT_OF_HANDLER: [string, string][] = [
  ['综合行政执法', '罗江区综合行政执法局'],
  ['环卫', '罗江区综合行政执法局'],
  ['文化市场执法', '罗江区综合行政执法局'],
  ['住建', '罗江区住房和城乡建设局'],
  ['园林', '罗江区住房和城乡建设局'],
  ['物业', '罗江区住房和城乡建设局'],
  ['产权单位', '罗江区住房和城乡建设局'],
  ['供水企业', '罗江区住房和城乡建设局'],
  ['燃气企业', '罗江区应急管理局'],
  ['热力企业', '罗江区住房和城乡建设局'],
  ['通信', '罗江区住房和城乡建设局'],
  ['水务', '罗江区农业农村局'],
  ['公安', '德阳市公安局罗江区分局'],
  ['民政', '罗江区民政局'],
  ['属地镇', '罗江区应急管理局'],
];

function departmentFor(typicalHandler: string): string {
  return DEPARTMENT_OF_HANDLER.find(([k]) => typicalHandler.startsWith(k))?.[1] ?? '罗江区综合行政执法局';
}

/** Categories whose handling time is at most this many hours are urgent: every SLA in clock hours. */
const URGENT_MAX_HOURS = 2;

/**
 * The SLA of each step. Working hours on the district calendar (09:00–12:00, 14:00–17:30) unless
 * urgent. handle = the category's suggestedResolutionHours; the others follow the data file's
 * seven-step defaults, rounded up to something a community can meet (modelling suggestions).
 */
export function defaultSla(handleHours: number, urgent: boolean): Record<string, StepSlaValue> {
  if (urgent)
    return {
      register: { hours: 0.5, clock: true },
      dispatch: { hours: 0.5, clock: true },
      accept: { hours: 0.5, clock: true },
      handle: { hours: handleHours, clock: true },
      verify: { hours: 2, clock: true },
    };
  return {
    register: { hours: 2, clock: false },
    dispatch: { hours: 1, clock: false },
    accept: { hours: 2, clock: false },
    handle: { hours: handleHours, clock: false },
    verify: { hours: 4, clock: false },
  };
}

const isSquadCode = (code: string) => SQUAD_CATEGORY_CODES.some((p) => code.startsWith(p));

/** Loads categories and routing rules for every district that has none. */
export async function seedCaseCategories(db: Db): Promise<number> {
  let inserted = 0;
  for (const district of await listDistricts(db)) {
    const [n] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(caseCategories)
      .where(eq(caseCategories.districtId, district.id));
    if (Number(n?.n ?? 0) > 0) continue;
    const depts = new Map((await listDepartments(db, district.id)).map((d) => [d.name, d.id]));
    const rows: (typeof caseCategories.$inferInsert)[] = [];
    const rules: (typeof caseRoutingRules.$inferInsert)[] = [];
    let sort = 0;
    for (const major of data.eventCategories) {
      const squad = isSquadCode(major.code);
      rows.push({
        districtId: district.id,
        code: major.code,
        name: major.name,
        parentCode: null,
        level: 'major',
        defaultHandlerKind: squad ? 'squad' : 'department',
        defaultDepartment: null,
        urgent: false,
        sla: defaultSla(72, false),
        evidence: { handle: ['photo'] },
        enabled: true,
        sort: sort++,
      });
      if (SQUAD_CATEGORY_CODES.includes(major.code as never))
        rules.push({ districtId: district.id, categoryCode: major.code, handlerKind: 'squad' });
      for (const sub of major.subcategories) {
        const urgent = sub.suggestedResolutionHours <= URGENT_MAX_HOURS;
        const subSquad = isSquadCode(sub.code);
        const department = subSquad ? null : departmentFor(sub.typicalHandler);
        rows.push({
          districtId: district.id,
          code: sub.code,
          name: sub.name,
          parentCode: major.code,
          level: 'sub',
          defaultHandlerKind: subSquad ? 'squad' : 'department',
          defaultDepartment: department,
          urgent,
          sla: defaultSla(sub.suggestedResolutionHours, urgent),
          evidence: { handle: ['photo'] },
          enabled: true,
          sort: sort++,
        });
        if (SQUAD_CATEGORY_CODES.includes(sub.code as never))
          rules.push({ districtId: district.id, categoryCode: sub.code, handlerKind: 'squad' });
        else if (!subSquad)
          rules.push({
            districtId: district.id,
            categoryCode: sub.code,
            handlerKind: 'department',
            departmentId: (department && depts.get(department)) ?? null,
          });
      }
    }
    await db.transaction(async (tx) => {
      await tx.insert(caseCategories).values(rows);
      await tx.insert(caseRoutingRules).values(rules);
      await writeAudit(tx, systemContext(district.id), {
        action: 'case_category.seed',
        entityType: 'case_category',
        entityId: null,
        orgUnitId: district.id,
        districtId: district.id,
        note: { categories: rows.length, rules: rules.length, source: 'case-categories.json' },
      });
    });
    inserted += rows.length;
  }
  return inserted;
}

/**
 * Demo boundaries (boundaries-demo.ts) for the district, its towns, villages and communities and
 * the demo grids, when the district has none yet. Generated, not surveyed: source `generated`.
 */
export async function seedDemoBoundaries(db: Db): Promise<number> {
  const units = await db
    .select({
      id: orgUnits.id,
      districtId: orgUnits.districtId,
      name: orgUnits.name,
      kind: orgUnits.kind,
      depth: orgUnits.depth,
      parentId: orgUnits.parentId,
      sort: orgUnits.sort,
    })
    .from(orgUnits);
  const district = units.find((u) => u.kind === 'district' && u.name === orgData.district.name);
  if (!district) return 0;
  const [n] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(orgUnitBoundaries)
    .where(eq(orgUnitBoundaries.districtId, district.districtId));
  if (Number(n?.n ?? 0) > 0) return 0;
  const towns: DemoTown[] = orgData.towns.map((t) => ({
    name: t.name,
    units: t.units.map((u) => ({ name: u.name, kind: u.type === '社区' ? 'community' : 'village' })),
  }));
  const demo = generateDemoBoundaries(towns);
  const byName = (name: string, kind: string) => units.find((u) => u.name === name && u.kind === kind);
  const rows: (typeof orgUnitBoundaries.$inferInsert)[] = [];
  const push = (unitId: string, depth: number, geometry: (typeof demo)['district']) => {
    const [minLng, minLat, maxLng, maxLat] = bbox(geometry);
    rows.push({
      orgUnitId: unitId,
      districtId: district.districtId,
      depth,
      geometry,
      minLng,
      minLat,
      maxLng,
      maxLat,
      source: 'generated',
    });
  };
  push(district.id, 0, demo.district);
  for (const [name, g] of demo.towns) {
    const u = byName(name, 'town');
    if (u) push(u.id, 1, g);
  }
  for (const [name, g] of demo.units) {
    const u = byName(name, 'community');
    if (!u) continue;
    push(u.id, 2, g);
    const grids = units
      .filter((x) => x.parentId === u.id && x.kind === 'grid')
      .sort((a, b) => a.sort - b.sort);
    if (grids.length)
      gridBands(g, grids.length).forEach((band, i) => {
        push(grids[i]!.id, 3, band);
      });
  }
  await db.transaction(async (tx) => {
    await tx.insert(orgUnitBoundaries).values(rows);
    await writeAudit(tx, systemContext(district.districtId), {
      action: 'boundary.seed',
      entityType: 'org_unit_boundary',
      entityId: null,
      orgUnitId: district.id,
      districtId: district.districtId,
      note: { boundaries: rows.length, source: 'generated demo partition (not surveyed)' },
    });
  });
  return rows.length;
}

/** The demo squads: one in 翰林社区 and one in 家和社区, with the demo squad accounts as members. */
export const DEMO_SQUADS: {
  community: string;
  name: string;
  members: { username: string; duty: 'enforcement_officer' | 'community_cadre' | 'both' }[];
}[] = [
  {
    community: '翰林社区',
    name: '翰林社区城管中队',
    members: [
      { username: 'hanlin-squad1', duty: 'enforcement_officer' },
      { username: 'hanlin-squad2', duty: 'community_cadre' },
      { username: 'hanlin-squad3', duty: 'both' },
    ],
  },
  {
    community: '家和社区',
    name: '家和社区城管中队',
    members: [
      { username: 'jh-squad1', duty: 'both' },
      { username: 'jh-squad2', duty: 'community_cadre' },
    ],
  },
];

/** Creates the demo squads once (the member accounts come from identity's demo seed). */
export async function seedDemoSquads(db: Db): Promise<number> {
  let created = 0;
  for (const s of DEMO_SQUADS) {
    const [unit] = await db.select().from(orgUnits).where(eq(orgUnits.name, s.community)).limit(1);
    if (!unit) continue;
    const [existing] = await db
      .select({ id: squads.id })
      .from(squads)
      .where(and(eq(squads.orgUnitId, unit.id), eq(squads.name, s.name)))
      .limit(1);
    if (existing) continue;
    await db.transaction(async (tx) => {
      const [squad] = await tx
        .insert(squads)
        .values({ districtId: unit.districtId, orgUnitId: unit.id, name: s.name })
        .returning();
      for (const m of s.members) {
        const [acc] = await tx
          .select({ id: accounts.id })
          .from(accounts)
          .where(eq(accounts.username, m.username));
        if (acc)
          await tx.insert(squadMembers).values({ squadId: squad!.id, accountId: acc.id, duty: m.duty });
      }
      await writeAudit(tx, systemContext(unit.districtId), {
        action: 'squad.seed',
        entityType: 'squad',
        entityId: squad!.id,
        orgUnitId: unit.id,
        districtId: unit.districtId,
        after: { name: s.name, members: s.members.map((m) => `${m.username}:${m.duty}`) },
      });
    });
    created++;
  }
  return created;
}
