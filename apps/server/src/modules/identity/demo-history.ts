import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AuditBatchEntry } from '../../core/audit';
import { bulkInsert } from '../../core/db/bulk';
import type { Executor } from '../../core/db/client';
import {
  DAY_MS,
  DEMO_HISTORY_DAYS,
  DEMO_HISTORY_SEED,
  demoHistoryDone,
  demoRandom,
  finishDemoHistory,
  historyAnchor,
  historyWanted,
  uuidv7At,
} from '../../core/demo-history';
import type { SeedContext } from '../../core/module';
import { defaultDistrict } from './lookups';
import { currentNotice } from './privacy-service';
import { accounts, departments, orgUnits, privacyConsents, roleGrants } from './schema';

/**
 * The people of the demo district's year (LINLI_DEMO_HISTORY): residents who report and apply,
 * a community worker in every community that has no staff account, and one member of staff in
 * every department that has none, so every step of every generated record has someone who took it.
 * Staff made here have no password (nobody signs in as them); residents sign in by phone as any
 * resident does.
 */

/**
 * Demo residents' phones: 154 0000 0001 … The 154 segment is not allocated to any Chinese carrier
 * (carrier-exact number patterns such as libphonenumber's CN mobile ranges leave it out), so these
 * numbers reach nobody; they pass Linli's format check (`^1[3-9]\d{9}$`) and mask as 154****0001.
 */
export const DEMO_RESIDENT_PHONE_PREFIX = '1540000';
/** How many demo residents (at least one in every community, the rest where people are). */
export const DEMO_RESIDENTS = 480;
/** Usernames of the staff the history makes start with this (they never sign in). */
export const DEMO_STAFF_PREFIX = 'demo-';

const MODULE = 'identity';

/** A community of the district as the generators see it. */
export interface DemoCommunity {
  id: string;
  code: string;
  name: string;
  path: string;
  townName: string;
  /** 社区 (urban), not 村. */
  urban: boolean;
  /** In the district seat's town (万安镇): the busiest places. */
  central: boolean;
}

/** Everyone the generators may name as an actor, by where they work or live. */
export interface DemoPeople {
  districtId: string;
  communities: DemoCommunity[];
  departments: { id: string; code: string; name: string }[];
  residents: { id: string; orgUnitId: string | null; displayName: string }[];
  staff: {
    id: string;
    displayName: string;
    orgUnitId: string | null;
    departmentId: string | null;
    grants: { roleCode: string; orgUnitId: string }[];
  }[];
}

/** Relative share of people (and of their reports and applications) by community. */
export function communityWeight(c: DemoCommunity): number {
  if (!c.urban) return 1;
  return c.central ? 6 : 3;
}

/** The district's communities, departments, residents and staff with their grants. */
export async function demoPeople(db: Executor, districtId?: string): Promise<DemoPeople> {
  const district = districtId ?? (await defaultDistrict(db));
  const units = await db
    .select({
      id: orgUnits.id,
      code: orgUnits.code,
      name: orgUnits.name,
      path: orgUnits.path,
      kind: orgUnits.kind,
      subtype: orgUnits.subtype,
      parentId: orgUnits.parentId,
      sort: orgUnits.sort,
      depth: orgUnits.depth,
    })
    .from(orgUnits)
    .where(and(eq(orgUnits.districtId, district), eq(orgUnits.status, 'active')));
  const towns = new Map(units.filter((u) => u.kind === 'town').map((u) => [u.id, u]));
  const seatTown = [...towns.values()].sort((a, b) => a.sort - b.sort)[0];
  const communities = units
    .filter((u) => u.kind === 'community')
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((u) => ({
      id: u.id,
      code: u.code,
      name: u.name,
      path: u.path,
      townName: towns.get(u.parentId ?? '')?.name ?? '',
      urban: u.subtype === '社区',
      central: u.parentId === seatTown?.id,
    }));
  const depts = await db
    .select({ id: departments.id, code: departments.code, name: departments.name })
    .from(departments)
    .where(and(eq(departments.districtId, district), eq(departments.status, 'active')))
    .orderBy(departments.code);
  const people = await db
    .select({
      id: accounts.id,
      kind: accounts.kind,
      displayName: accounts.displayName,
      orgUnitId: accounts.orgUnitId,
      departmentId: accounts.departmentId,
    })
    .from(accounts)
    .where(and(eq(accounts.districtId, district), eq(accounts.status, 'active')))
    // Ids are random: order by what two databases seeded alike share, so a seed picks alike.
    .orderBy(accounts.kind, sql`coalesce(${accounts.username}, ${accounts.phone}, '')`, accounts.displayName);
  const grants = await db
    .select({
      accountId: roleGrants.accountId,
      roleCode: roleGrants.roleCode,
      orgUnitId: roleGrants.orgUnitId,
    })
    .from(roleGrants)
    .where(and(eq(roleGrants.districtId, district), isNull(roleGrants.revokedAt)))
    .orderBy(roleGrants.roleCode);
  const grantsOf = new Map<string, { roleCode: string; orgUnitId: string }[]>();
  for (const g of grants) {
    const list = grantsOf.get(g.accountId) ?? [];
    list.push({ roleCode: g.roleCode, orgUnitId: g.orgUnitId });
    grantsOf.set(g.accountId, list);
  }
  return {
    districtId: district,
    communities,
    departments: depts,
    residents: people
      .filter((p) => p.kind === 'resident')
      .map((p) => ({ id: p.id, orgUnitId: p.orgUnitId, displayName: p.displayName })),
    staff: people
      .filter((p) => p.kind === 'staff')
      .map((p) => ({
        id: p.id,
        displayName: p.displayName,
        orgUnitId: p.orgUnitId,
        departmentId: p.departmentId,
        grants: grantsOf.get(p.id) ?? [],
      })),
  };
}

/**
 * Seed (demo, LINLI_DEMO_HISTORY): the residents and the staff the year of activity needs, once.
 * Residents joined over the year before the history starts and agreed to the privacy notice in
 * force; every account gets its `account.seed` audit row at the time it was made.
 */
export async function seedDemoPeople(ctx: SeedContext): Promise<void> {
  if (!historyWanted(ctx) || (await demoHistoryDone(ctx.db, MODULE))) return;
  const began = performance.now();
  const anchor = historyAnchor(ctx);
  const seed = DEMO_HISTORY_SEED + 1;
  const random = await demoRandom(seed);
  const people = await demoPeople(ctx.db);
  const { districtId, communities } = people;
  if (communities.length === 0) return;
  const notice = await currentNotice(ctx.db, districtId);
  const start = anchor.getTime() - DEMO_HISTORY_DAYS * DAY_MS;

  const accountRows: (typeof accounts.$inferInsert)[] = [];
  const grantRows: (typeof roleGrants.$inferInsert)[] = [];
  const consentRows: (typeof privacyConsents.$inferInsert)[] = [];
  const audits: AuditBatchEntry[] = [];
  const taken = new Set(
    (
      await ctx.db
        .select({ phone: accounts.phone })
        .from(accounts)
        .where(sql`${accounts.phone} LIKE ${`${DEMO_RESIDENT_PHONE_PREFIX}%`}`)
    ).map((r) => r.phone),
  );

  // Residents: one in every community first, the rest where people are.
  const weights = communities.map((c) => [c, communityWeight(c)] as const);
  let serial = 0;
  for (let i = 0; i < DEMO_RESIDENTS; i++) {
    const home = i < communities.length ? communities[i]! : random.weighted(weights);
    let phone: string;
    do phone = `${DEMO_RESIDENT_PHONE_PREFIX}${String(++serial).padStart(4, '0')}`;
    while (taken.has(phone));
    const joined = new Date(start - random.int(1, 240) * DAY_MS - random.int(8, 21) * 3_600_000);
    const id = uuidv7At(joined, random);
    const displayName = random.faker.person.fullName();
    accountRows.push({
      id,
      districtId,
      kind: 'resident',
      username: null,
      phone,
      displayName,
      orgUnitId: home.id,
      departmentId: null,
      privacyConsentVersion: notice?.version ?? null,
      createdAt: joined,
      updatedAt: joined,
    });
    if (notice)
      consentRows.push({
        id: uuidv7At(joined, random),
        districtId,
        accountId: id,
        noticeId: notice.id,
        version: notice.version,
        at: joined,
        ip: null,
        userAgent: 'demo history',
      });
    audits.push({
      action: 'account.seed',
      entityType: 'account',
      entityId: id,
      orgUnitId: home.id,
      districtId,
      at: joined,
      actorId: null,
      after: { phone, kind: 'resident' },
      note: { source: 'demo history' },
    });
  }

  // A community worker wherever no staff account works in the community.
  const staffed = new Set(
    people.staff
      .flatMap((s) => s.grants.map((g) => g.orgUnitId))
      .concat(people.staff.map((s) => s.orgUnitId ?? '')),
  );
  const staffAccount = (
    username: string,
    displayName: string,
    unitId: string,
    roleCode: string,
    departmentId: string | null,
  ) => {
    const at = new Date(start - random.int(300, 400) * DAY_MS + random.int(1, 9) * 3_600_000);
    const id = uuidv7At(at, random);
    accountRows.push({
      id,
      districtId,
      kind: 'staff',
      username,
      phone: null,
      displayName,
      orgUnitId: unitId,
      departmentId,
      privacyConsentVersion: null,
      createdAt: at,
      updatedAt: at,
    });
    grantRows.push({
      id: uuidv7At(at, random),
      districtId,
      accountId: id,
      roleCode,
      orgUnitId: unitId,
      grantedAt: at,
    });
    audits.push({
      action: 'account.seed',
      entityType: 'account',
      entityId: id,
      orgUnitId: unitId,
      districtId,
      at,
      actorId: null,
      after: { username, displayName, role: roleCode },
      note: { source: 'demo history', signIn: 'none (no password)' },
    });
  };
  for (const c of communities) {
    if (staffed.has(c.id)) continue;
    staffAccount(
      `${DEMO_STAFF_PREFIX}cw-${c.code}`,
      random.faker.person.fullName(),
      c.id,
      'community_worker',
      null,
    );
  }
  const withStaff = new Set(people.staff.map((s) => s.departmentId).filter(Boolean));
  for (const d of people.departments) {
    if (withStaff.has(d.id)) continue;
    staffAccount(
      `${DEMO_STAFF_PREFIX}dept-${d.code.toLowerCase()}`,
      random.faker.person.fullName(),
      districtId,
      'department_staff',
      d.id,
    );
  }

  await ctx.db.transaction(async (tx) => {
    await bulkInsert(tx, accounts, accountRows);
    await bulkInsert(tx, roleGrants, grantRows);
    await bulkInsert(tx, privacyConsents, consentRows);
    await finishDemoHistory(tx, MODULE, districtId, audits, {
      anchor,
      seed,
      counts: {
        residents: accountRows.filter((a) => a.kind === 'resident').length,
        staff: grantRows.length,
      },
    });
  });
  ctx.log.info(
    `demo history: ${accountRows.length} residents and staff (${((performance.now() - began) / 1000).toFixed(1)} s)`,
  );
}
