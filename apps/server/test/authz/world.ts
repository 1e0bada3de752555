import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT_IN_ROLES, type OrgUnitKindCode, type Permission, type RoleCode } from '@linli/contracts';
import { eq } from 'drizzle-orm';
import type { App } from '../../src/app';
import { FakeClock } from '../../src/core/clock';
import { buildDeadJob } from '../../src/core/jobs/fixtures';
import type { Db } from '../../src/core/db/client';
import { seedAdmissionLists, seedCertificates } from '../../src/modules/admission';
import { seedCalendar } from '../../src/modules/calendar/seed';
import { handleCase, reportCase, stepCase } from '../../src/modules/cases/fixtures';
import { seedCaseCategories } from '../../src/modules/cases/seed';
import { runSlaSweep } from '../../src/modules/cases/sla';
import {
  FIXTURE_PASSWORD,
  buildStaff as buildStaffWithPassword,
} from '../../src/modules/identity/auth-fixtures';
import { buildDistrict, buildResident, sessionAs } from '../../src/modules/identity/fixtures';
import { orgUnits } from '../../src/modules/identity/schema';
import { seedPrivacyNotice } from '../../src/modules/identity/privacy-service';
import { seedDepartments } from '../../src/modules/identity/seed';
import {
  bring,
  JPEG,
  material,
  multipart,
  PNG,
  requiredMaterials,
} from '../../src/modules/service-guide/applications-fixtures';
import { seedCatalogue } from '../../src/modules/service-guide/seed';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../harness';

/**
 * The authorization matrix's world: two districts' worth of scopes, an account for every built-in
 * role, residents, and records of every kind in and out of each caller's scope. Everything is made
 * through the public API, as the accounts it creates; the only rows written by fixture functions
 * are a second district's root, its first administrator and its resident (no API creates them),
 * and that district's reference data comes from the boot sequence's own seed functions.
 *
 * The other scope of the district-level roles (district_admin, district_office, department_staff,
 * reviewer) is that second district, 广汉市 (D2): a role granted at 罗江区 must see nothing of it.
 * The product assumes one district in a few places: public routes and anonymous callers are about
 * `defaultDistrict()` (the lowest district code), residents signing in by phone land in the oldest
 * district root, Open311 serves the default district, and role settings (`requireTotp`) are one
 * table for the deployment. D2's code (510681) sorts after 罗江区's (510604) and it is made after it,
 * so all of these keep meaning 罗江区; D2's resident is made by a fixture function, and no caller
 * changes role settings. See README.md for what is checked and how to add a fixture.
 */

/** Where things are. A = 万安镇, B = 金山镇 (both 罗江区, D1); D2 is a second district. */
export type Place = 'D1' | 'TA' | 'A1' | 'A1g' | 'A2' | 'TB' | 'B1' | 'B2' | 'D2' | 'D2T' | 'D2C';

export interface Unit {
  place: Place;
  id: string;
  path: string;
  districtId: string;
  kind: OrgUnitKindCode;
  name: string;
  code: string;
}

/** One caller of the matrix: a role at a scope-A unit, a resident, or nobody. */
export interface Caller {
  /** The role code, `resident` or `anonymous`. */
  name: string;
  kind: 'anonymous' | 'resident' | 'staff';
  role: RoleCode | null;
  /** Staff: where the one grant is. Residents: their home community. */
  unit: Unit | null;
  accountId: string | null;
  phone: string | null;
  departmentId: string | null;
  /** What the session carries: the role's permissions for staff (sessions load no grants of residents). */
  perms: ReadonlySet<Permission>;
  client: Client;
}

/**
 * A record of the world. Who may see it is decided here, independently of the code under test:
 * its owner, everyone when it is public, staff whose grant covers its unit and holds one of
 * `readBy` (any permission when absent), and whoever `also` names (a case's handler, a follower).
 */
export interface Rec {
  kind: string;
  id: string;
  unit: Unit;
  owner?: string | null;
  public?: boolean;
  readBy?: readonly Permission[];
  also?: (c: Caller) => boolean;
  /** Strings that must never appear in an answer to a caller who cannot see it (id, case number…). */
  tokens: string[];
  /** Per-kind details the fixtures need (a photo id, a grant id, the state…). */
  data: Record<string, string>;
  label: string;
}

export function covers(c: Caller, p: string): boolean {
  return c.kind === 'staff' && !!c.unit && p.startsWith(c.unit.path);
}

/** True when `c` holds `perm` by a grant covering `p`. */
export function holdsAt(c: Caller, perm: Permission, p: string): boolean {
  return covers(c, p) && c.perms.has(perm);
}

export function visible(c: Caller, r: Rec): boolean {
  if (r.owner && r.owner === c.accountId) return true;
  if (r.public) return true;
  if (r.also?.(c)) return true;
  if (!covers(c, r.unit.path)) return false;
  return !r.readBy || r.readBy.some((p) => c.perms.has(p));
}

export interface World {
  t: TestApp;
  /** The app's clock: fixed at WORLD_NOW; fixtures move it on where a wait is part of the rule. */
  clock: FakeClock;
  app: App;
  db: Db;
  dataDir: string;
  units: Record<Place, Unit>;
  callers: Caller[];
  caller(name: string): Caller;
  /** Clients the world builds with: D1's and D2's administrators, squad members, department staff. */
  as: Record<
    'admin' | 'd2admin' | 'hanlinSquad' | 'jiaheSquad' | 'd2Squad' | 'minzheng' | 'r2' | 'r3' | 'd2resident',
    Client
  >;
  ids: Record<
    'r2' | 'r3' | 'd2resident' | 'minzhengDept' | 'd2Dept' | 'hanlinSquad' | 'jiaheSquad' | 'd2Squad',
    string
  >;
  /** Every account the world made, with its phone (the PII check looks for these). */
  people: { accountId: string; phone: string; unit: Unit }[];
  recs: Rec[];
  add(rec: Omit<Rec, 'tokens' | 'data'> & { tokens?: string[]; data?: Record<string, string> }): Rec;
  of(kind: string): Rec[];
  /** Catalogue ids the fixtures use. */
  items: { proxy: string; direct: string; d2proxy: string };
  /** The required materials of `items.proxy`, which applications mark as brought on the visit. */
  proxyRequired: string[];
  /** A service guide to create items from, and the catalogue as exported (to import it again). */
  guide: Record<string, unknown>;
  catalogueXlsx: Buffer;
  close(): Promise<void>;
}

/** Throws unless the answer has the status: the world is built from successful requests only. */
export function expectStatus<T extends { statusCode: number; body: string }>(
  res: T,
  status: number,
  what: string,
): T {
  if (res.statusCode !== status)
    throw new Error(`world: ${what}: ${res.statusCode} ${res.body.slice(0, 400)}`);
  return res;
}

export const PASSWORD = 'Matrix-Harbour-42';
/** The world's clock: a Friday morning in Beijing. */
export const WORLD_NOW = '2026-11-27T02:00:00Z';
let phoneSeq = 0;
const staffPhone = () => `1330000${String(++phoneSeq).padStart(4, '0')}`;
const residentPhone = () => `1350000${String(++phoneSeq).padStart(4, '0')}`;

async function unitRow(db: Db, where: { name?: string; id?: string }) {
  const [u] = await db
    .select()
    .from(orgUnits)
    .where(where.id ? eq(orgUnits.id, where.id) : eq(orgUnits.name, where.name!))
    .limit(1);
  if (!u) throw new Error(`world: no unit ${where.name ?? where.id}`);
  return u;
}

const toUnit = (place: Place, u: typeof orgUnits.$inferSelect): Unit => ({
  place,
  id: u.id,
  path: u.path,
  districtId: u.districtId,
  kind: u.kind,
  name: u.name,
  code: u.code,
});

/** A staff account made by `by` through the API, with one grant when `role` is given. */
export async function staffAccount(
  w: { people: World['people'] },
  by: Client,
  unit: Unit,
  role: string | null,
  extra: { departmentId?: string; username?: string } = {},
) {
  const username =
    extra.username ?? `mx-${role ?? 'staff'}-${unit.place.toLowerCase()}-${++phoneSeq}`.replaceAll('_', '-');
  const phone = staffPhone();
  const res = expectStatus(
    await by.post('/api/v1/accounts', {
      username,
      displayName: `矩阵${role ?? '员工'}${phoneSeq}`,
      phone,
      orgUnitId: unit.id,
      password: PASSWORD,
      ...(extra.departmentId ? { departmentId: extra.departmentId } : {}),
    }),
    201,
    `create account ${username}`,
  );
  const id = res.json().account.id as string;
  if (role) {
    expectStatus(
      await by.post(`/api/v1/accounts/${id}/grants`, { roleCode: role, orgUnitId: unit.id }),
      201,
      `grant ${role} to ${username}`,
    );
  }
  w.people.push({ accountId: id, phone, unit });
  return { id, username, phone };
}

/** Agrees to the privacy notice in force when the resident is asked to (as the resident app does). */
export async function agreeToPrivacyNotice(c: Client) {
  const mine = expectStatus(await c.get('/api/v1/me/privacy'), 200, 'my privacy').json();
  if (!mine.consentRequired) return;
  expectStatus(await c.post('/api/v1/me/privacy/consent', { version: mine.current.version }), 200, 'consent');
}

/** Builds the world on a fresh copy of the seeded database. */
export async function buildWorld(): Promise<World> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-authz-'));
  // A fixed clock: deadlines, office hours and date windows come out the same on every run.
  const clock = new FakeClock(new Date(WORLD_NOW));
  // The world's residents file hundreds of reports and applications in a minute: per-IP code
  // limits and daily upload quotas have their own tests.
  const t = await buildTestApp(
    {
      dataDir,
      otpRatePerIpPerHour: 100_000,
      uploadResidentFilesPerDay: 1_000_000,
      uploadResidentMbPerDay: 10_000_000,
      uploadStaffFilesPerDay: 1_000_000,
      uploadStaffMbPerDay: 10_000_000,
    },
    { clock },
  );
  const { app } = t;
  const db = t.database.db;

  // ---------- places ----------
  const hanlin = await unitRow(db, { name: '翰林社区' });
  const jiahe = await unitRow(db, { name: '家和社区' });
  const grids = await db.select().from(orgUnits).where(eq(orgUnits.parentId, hanlin.id));
  const units = {
    D1: toUnit('D1', await unitRow(db, { name: '罗江区' })),
    TA: toUnit('TA', await unitRow(db, { id: hanlin.parentId! })),
    A1: toUnit('A1', hanlin),
    A1g: toUnit('A1g', grids.find((g) => g.name === '第一网格')!),
    A2: toUnit('A2', await unitRow(db, { name: '景乐社区' })),
    TB: toUnit('TB', await unitRow(db, { id: jiahe.parentId! })),
    B1: toUnit('B1', jiahe),
    B2: toUnit('B2', await unitRow(db, { name: '金山社区' })),
  } as Record<Place, Unit>;

  // A second district (广汉市), with the reference data the boot sequence gives every district.
  const d2root = await buildDistrict(db, { code: '510681', name: '广汉市', fullName: '四川省德阳市广汉市' });
  await seedDepartments(db);
  await seedCalendar(db);
  await seedCatalogue(db, d2root.id);
  await seedCaseCategories(db);
  await seedAdmissionLists(db);
  await seedCertificates(db);
  await seedPrivacyNotice(db);
  units.D2 = toUnit('D2', d2root);
  const d2adminRow = await buildStaffWithPassword(db, {
    username: 'd2-admin',
    role: 'district_admin',
    unitName: '广汉市',
  });
  const admin = await loginAs(app, 'admin');
  const d2admin = await loginAs(app, 'd2-admin', FIXTURE_PASSWORD);
  const newUnit = async (
    c: Client,
    parent: Unit,
    place: Place,
    p: { name: string; code: string; kind: string },
  ) => {
    const res = expectStatus(
      await c.post('/api/v1/org-units', { parentId: parent.id, ...p }),
      201,
      `create ${p.name}`,
    );
    return toUnit(place, await unitRow(db, { id: res.json().id }));
  };
  units.D2T = await newUnit(d2admin, units.D2, 'D2T', { name: '雒城街道', code: '510681001', kind: 'town' });
  units.D2C = await newUnit(d2admin, units.D2T, 'D2C', {
    name: '西外社区',
    code: '510681001001',
    kind: 'community',
  });

  const people: World['people'] = [];
  const departments = (await (await admin.get('/api/v1/departments')).json()).items as {
    id: string;
    name: string;
  }[];
  const minzhengDept = departments.find((d) => d.name === '罗江区民政局')!.id;

  // ---------- residents ----------
  /** A resident signed in by OTP with a home community. */
  const residentAt = async (unit: Unit) => {
    const phone = residentPhone();
    const client = await residentLogin(t, phone);
    expectStatus(await client.patch('/api/v1/me', { homeOrgUnitId: unit.id }), 200, 'set home');
    const me = (await client.get('/api/v1/me')).json();
    people.push({ accountId: me.id, phone, unit });
    return { client, id: me.id as string, phone };
  };
  const r1 = await residentAt(units.A1);
  const r2 = await residentAt(units.A1);
  const r3 = await residentAt(units.B1);
  const d2resRow = await buildResident(
    db,
    units.D2.districtId,
    await unitRow(db, { id: units.D2C.id }),
    residentPhone(),
  );
  people.push({ accountId: d2resRow.id, phone: d2resRow.phone!, unit: units.D2C });
  const d2resident = await sessionAs(app, d2resRow.id);
  await agreeToPrivacyNotice(d2resident);

  // ---------- callers: every built-in role at a scope-A unit ----------
  const roleUnit: Record<RoleCode, Place> = {
    district_admin: 'D1',
    district_office: 'D1',
    department_staff: 'D1',
    reviewer: 'D1',
    town_admin: 'TA',
    community_secretary: 'A1',
    community_worker: 'A1',
    grid_worker: 'A1g',
    squad_member: 'A1',
    cobuild_unit: 'A1',
    social_org: 'A1',
    deliberation_rep: 'A1',
  };
  const callers: Caller[] = [
    {
      name: 'anonymous',
      kind: 'anonymous',
      role: null,
      unit: null,
      accountId: null,
      phone: null,
      departmentId: null,
      perms: new Set(),
      client: new Client(app),
    },
    {
      name: 'resident',
      kind: 'resident',
      role: null,
      unit: units.A1,
      accountId: r1.id,
      phone: r1.phone,
      departmentId: null,
      perms: new Set(),
      client: r1.client,
    },
  ];
  for (const role of BUILT_IN_ROLES) {
    const unit = units[roleUnit[role.code]];
    if (role.code === 'deliberation_rep') {
      // A representative is a resident (the identity module grants residents only this role).
      const rep = await residentAt(unit);
      expectStatus(
        await admin.post(`/api/v1/accounts/${rep.id}/grants`, { roleCode: role.code, orgUnitId: unit.id }),
        201,
        'grant deliberation_rep',
      );
      callers.push({
        name: role.code,
        kind: 'resident',
        role: role.code,
        unit,
        accountId: rep.id,
        phone: rep.phone,
        departmentId: null,
        perms: new Set(),
        client: rep.client,
      });
      continue;
    }
    const departmentId = role.code === 'department_staff' ? minzhengDept : undefined;
    const acc = await staffAccount({ people }, admin, unit, role.code, { departmentId });
    callers.push({
      name: role.code,
      kind: 'staff',
      role: role.code,
      unit,
      accountId: acc.id,
      phone: acc.phone,
      departmentId: departmentId ?? null,
      perms: new Set(role.permissions),
      // A session row as sign-in makes it (the login route has its own fixture and tests).
      client: await sessionAs(app, acc.id),
    });
  }
  const caller = (name: string) => {
    const c = callers.find((x) => x.name === name);
    if (!c) throw new Error(`world: no caller ${name}`);
    return c;
  };

  const recs: Rec[] = [];
  const add: World['add'] = (r) => {
    const rec: Rec = { tokens: [r.id], data: {}, ...r };
    recs.push(rec);
    return rec;
  };

  const world: World = {
    t,
    clock,
    app,
    db,
    dataDir,
    units,
    callers,
    caller,
    as: {
      admin,
      d2admin,
      hanlinSquad: await loginAs(app, 'hanlin-squad1'),
      jiaheSquad: await loginAs(app, 'jh-squad1'),
      d2Squad: admin, // replaced below once D2 has a squad
      minzheng: await loginAs(app, 'minzheng-staff'),
      r2: r2.client,
      r3: r3.client,
      d2resident,
    },
    ids: {
      r2: r2.id,
      r3: r3.id,
      d2resident: d2resRow.id,
      minzhengDept,
      d2Dept: '',
      hanlinSquad: '',
      jiaheSquad: '',
      d2Squad: '',
    },
    people,
    recs,
    add,
    of: (kind) => recs.filter((r) => r.kind === kind),
    items: { proxy: '', direct: '', d2proxy: '' },
    proxyRequired: [],
    guide: {},
    catalogueXlsx: Buffer.alloc(0),
    async close() {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  void d2adminRow;
  await buildRecords(world);
  return world;
}

/** The case states the public board shows (the matrix's own statement of the rule, not the code's). */
export const PUBLIC_CASE_STATES = new Set([
  'registered',
  'dispatched',
  'accepted',
  'handling',
  'handled',
  'closed',
  'rated',
]);

/**
 * Who sees a case besides staff holding cases.read over it: its reporter, its followers, the
 * squad or department it is with, and — once registered — everyone in its district (the
 * community board; anonymous callers see the default district's).
 */
function caseAlso(w: World, rec: () => Rec): (c: Caller) => boolean {
  return (c) => {
    const r = rec();
    if (r.data.followers?.split(',').includes(c.accountId ?? '-')) return true;
    if (c.role === 'squad_member' && r.data.squadId && r.data.squadId === w.ids.hanlinSquad) return true;
    if (c.role === 'department_staff' && r.data.departmentId && r.data.departmentId === c.departmentId)
      return true;
    // Cases a partner filed through Open311 are public from the start (open311/README.md).
    if (PUBLIC_CASE_STATES.has(r.data.status!) || r.data.open311) {
      const district = c.unit?.districtId ?? w.units.D1.districtId;
      return district === r.unit.districtId;
    }
    return false;
  };
}

/** The records of every kind, in and out of each caller's scope. */
async function buildRecords(w: World) {
  const { units, as, app } = w;
  const R1 = w.caller('resident');

  // ---------- org units: public records themselves, and the scope a create or a filter names ----------
  for (const u of Object.values(units)) {
    w.add({ kind: 'unit', id: u.id, unit: u, public: true, tokens: [], label: `${u.place} (${u.name})` });
    // The unit a create names: org units are public, so one outside the scope may answer 403.
    w.add({
      kind: 'scope',
      id: u.id,
      unit: u,
      public: true,
      tokens: [],
      label: `${u.place} (${u.name}) as the scope`,
    });
    // The unit a list is filtered by: outside the scope the list must read as for a missing unit.
    w.add({
      kind: 'filter',
      id: u.id,
      unit: u,
      tokens: [],
      // Residents and anonymous callers filter by units of their own district (the default one).
      also: (c) => c.kind !== 'staff' && u.districtId === (c.unit?.districtId ?? units.D1.districtId),
      label: `${u.place} (${u.name}) as a filter`,
    });
  }
  w.add({
    kind: 'category',
    id: '0201',
    unit: units.D1,
    public: true,
    tokens: [],
    label: 'category 0201 of D1',
  });
  w.add({
    kind: 'calendarDay',
    id: '2027-03-09',
    unit: units.D1,
    readBy: ['calendar.manage'],
    tokens: [],
    label: 'a calendar day of D1',
  });
  w.add({
    kind: 'listVersion',
    id: '1',
    unit: units.D1,
    public: true,
    tokens: [],
    label: 'list version 1 of D1',
  });

  // ---------- accounts ----------
  for (const c of w.callers) {
    if (!c.accountId || !c.unit) continue;
    w.add({
      kind: 'account',
      id: c.accountId,
      unit: c.unit,
      owner: c.accountId,
      readBy: ['accounts.read'],
      tokens: [],
      label: `${c.name}'s account`,
    });
  }
  for (const [place, by] of [
    ['A1', as.admin],
    ['A2', as.admin],
    ['B1', as.admin],
    ['D2C', as.d2admin],
  ] as const) {
    const a = await staffAccount(w, by, units[place], 'community_worker');
    // Its id is named only where its community's accounts and squads are listed.
    w.add({
      kind: 'account',
      id: a.id,
      unit: units[place],
      readBy: ['accounts.read'],
      label: `worker at ${place}`,
    });
  }
  for (const [id, place] of [
    [w.ids.r2, 'A1'],
    [w.ids.r3, 'B1'],
    [w.ids.d2resident, 'D2C'],
  ] as const) {
    w.add({
      kind: 'account',
      id,
      unit: units[place],
      owner: id,
      readBy: ['accounts.read'],
      label: `resident at ${place}`,
    });
  }

  // ---------- squads ----------
  const squads = (await as.admin.get('/api/v1/squads')).json().items as {
    id: string;
    community: { id: string };
  }[];
  const squadAt = (u: Unit) => squads.find((s) => s.community.id === u.id)!.id;
  w.ids.hanlinSquad = squadAt(units.A1);
  w.ids.jiaheSquad = squadAt(units.B1);
  const d2squad = expectStatus(
    await as.d2admin.post('/api/v1/squads', { communityId: units.D2C.id, name: '西外社区城管中队' }),
    201,
    'D2 squad',
  ).json().id as string;
  w.ids.d2Squad = d2squad;
  const d2member = await staffAccount(w, as.d2admin, units.D2C, 'squad_member');
  expectStatus(
    await as.d2admin.post(`/api/v1/squads/${d2squad}/members`, { accountId: d2member.id, duty: 'both' }),
    201,
    'D2 squad member',
  );
  as.d2Squad = await loginAs(app, d2member.username, PASSWORD);
  expectStatus(
    await as.admin.post(`/api/v1/squads/${w.ids.hanlinSquad}/members`, {
      accountId: w.caller('squad_member').accountId,
      duty: 'both',
    }),
    201,
    'squad_member joins 翰林社区城管中队',
  );
  for (const [id, place] of [
    [w.ids.hanlinSquad, 'A1'],
    [w.ids.jiaheSquad, 'B1'],
    [d2squad, 'D2C'],
  ] as const) {
    const squad = squads.find((s) => s.id === id) as
      | { members?: { accountId: string; active: boolean }[] }
      | undefined;
    const firstMember = squad?.members?.find((m) => m.active)?.accountId ?? d2member.id;
    const unit = units[place];
    w.add({
      kind: 'squad',
      id,
      unit,
      // A squad is named as the handler of its cases: grid workers of its community see those, and
      // residents see it on their own reports.
      also: (c) =>
        c.kind === 'staff'
          ? !!c.unit && c.unit.path.startsWith(unit.path)
          : unit.districtId === (c.unit?.districtId ?? units.D1.districtId),
      data: { firstMember },
      label: `squad of ${place}`,
    });
  }

  // ---------- cases ----------
  const d2depts = (await (await as.d2admin.get('/api/v1/departments')).json()).items as { id: string }[];
  w.ids.d2Dept = d2depts[0]!.id;
  for (const spec of [
    { by: R1.client, owner: R1.accountId!, place: 'A1', state: 'reported' },
    { by: as.r2, owner: w.ids.r2, place: 'A1', state: 'reported' },
    { by: as.r2, owner: w.ids.r2, place: 'A1', state: 'dispatched' },
    { by: as.r2, owner: w.ids.r2, place: 'A1', state: 'dispatched', department: true },
    { by: as.r2, owner: w.ids.r2, place: 'A1g', state: 'reported' },
    { by: as.r2, owner: w.ids.r2, place: 'A2', state: 'reported' },
    { by: as.r3, owner: w.ids.r3, place: 'B1', state: 'reported' },
    { by: as.r3, owner: w.ids.r3, place: 'B1', state: 'dispatched' },
    { by: as.d2resident, owner: w.ids.d2resident, place: 'D2C', state: 'reported' },
    { by: as.d2resident, owner: w.ids.d2resident, place: 'D2C', state: 'dispatched' },
  ] as const) {
    await makeCase(w, {
      reporter: spec.by,
      owner: spec.owner,
      unit: units[spec.place],
      state: spec.state,
      department: 'department' in spec,
    });
  }

  // ---------- notices: published ones are public, retracted ones only for notices.manage ----------
  for (const [place, by, retracted] of [
    ['A1', as.admin, false],
    ['B1', as.admin, false],
    ['A1', as.admin, true],
    ['A2', as.admin, true],
    ['B1', as.admin, true],
    ['D2C', as.d2admin, true],
  ] as const) {
    w.add(await makeNotice(w, by, units[place], retracted));
  }

  // ---------- catalogue ----------
  const items = (await (await as.admin.get(`/api/v1/service-items?q=${encodeURIComponent('低保')}`)).json())
    .items as { id: string; name: string; department: string; mode: string }[];
  w.items.proxy = items.find((i) => i.name === '最低生活保障' && i.department === '罗江区民政局')!.id;
  w.proxyRequired = await requiredMaterials(w.db, w.items.proxy);
  w.items.direct = (
    await (await as.admin.get('/api/v1/service-items?mode=direct&limit=1')).json()
  ).items[0].id;
  const d2items = (
    await (await as.d2admin.get(`/api/v1/service-items/admin?q=${encodeURIComponent('最低生活保障')}`)).json()
  ).items as {
    id: string;
    name: string;
  }[];
  w.items.d2proxy = d2items.find((i) => i.name === '最低生活保障')!.id;
  w.guide = expectStatus(
    await as.admin.get(`/api/v1/service-items/${w.items.proxy}/draft`),
    200,
    'guide',
  ).json().guide;
  w.catalogueXlsx = expectStatus(
    await as.admin.get('/api/v1/service-items/export.xlsx'),
    200,
    'export',
  ).rawPayload;
  w.add({
    kind: 'item',
    id: w.items.proxy,
    unit: units.D1,
    public: true,
    tokens: [],
    label: '最低生活保障 of D1',
  });
  w.add({
    kind: 'item',
    id: w.items.d2proxy,
    unit: units.D2,
    public: true,
    tokens: [],
    label: '最低生活保障 of D2',
  });
  expectStatus(
    await as.d2admin.request({
      method: 'PUT',
      url: `/api/v1/org-units/${units.D2C.id}/offerings/${w.items.d2proxy}`,
      payload: { location: '西外社区便民服务室', hours: '工作日 9:00-17:00' },
    }),
    200,
    'D2 offering',
  );
  for (const [by, place] of [
    [as.admin, 'D1'],
    [as.d2admin, 'D2'],
  ] as const) {
    const res = expectStatus(
      await by.post('/api/v1/service-synonyms', { terms: [`矩阵${place}甲`, `矩阵${place}乙`] }),
      201,
      'synonym',
    );
    w.add({
      kind: 'synonym',
      id: res.json().id,
      unit: units[place],
      readBy: ['catalogue.manage'],
      label: `synonym of ${place}`,
    });
  }

  // ---------- applications (办件) ----------
  for (const [c, owner, place, item] of [
    [R1.client, R1.accountId!, 'A1', w.items.proxy],
    [as.r2, w.ids.r2, 'A1', w.items.proxy],
    [as.r3, w.ids.r3, 'B1', w.items.proxy],
    [as.d2resident, w.ids.d2resident, 'D2C', w.items.d2proxy],
  ] as const) {
    w.add(await makeApplication(w, { client: c, owner, unit: units[place], itemId: item }));
  }

  // ---------- office hours (public) and bookings (the resident's) ----------
  for (const [by, place] of [
    [as.minzheng, 'A1'],
    [as.minzheng, 'B1'],
    [as.d2admin, 'D2C'],
  ] as const) {
    w.add(await makeOfficeHour(w, by, units[place]));
  }
  const hanlinSession = w.of('officeHour').find((r) => r.unit.place === 'A1')!;
  for (const [c, owner] of [
    [R1.client, R1.accountId!],
    [as.r2, w.ids.r2],
  ] as const) {
    w.add(await makeBooking(w, c, owner, hanlinSession));
  }

  // ---------- open311 partner keys, and a case filed through Open311 ----------
  for (const [by, place] of [
    [as.admin, 'D1'],
    [as.d2admin, 'D2'],
  ] as const) {
    w.add(await makeKey(w, by, units[place]));
  }
  const key = w.of('open311Key').find((k) => k.unit.place === 'D1')!;
  const batchKey = expectStatus(
    await as.admin.post('/api/v1/open311-keys', { partnerName: '矩阵批量合作应用', batch: true }),
    201,
    'batch key',
  ).json().key as string;
  const filed = expectStatus(
    await w.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        api_key: key.data.key!,
        service_code: '0201',
        address_string: `${units.A1.name}5栋`,
        description: '矩阵测试：合作应用上报的小广告',
        email: 'matrix@example.com',
        phone: '13500009999',
      }).toString(),
    }),
    200,
    'open311 request',
  ).json()[0] as { service_request_id: string };
  // The partner's submitter left a phone: staff without pii.read see it masked, the feeds never.
  w.people.push({ accountId: 'open311-submitter', phone: '13500009999', unit: units.A1 });
  const listed = (await as.admin.get('/api/v1/cases?source=open311&limit=50')).json().items as {
    id: string;
    number: string;
  }[];
  const viaOpen311 = listed.find((c) => c.number === filed.service_request_id)!;
  // Through a batch key the partner gets a token first, and the number from GET tokens.
  const batched = expectStatus(
    await w.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        api_key: batchKey,
        service_code: '0201',
        address_string: `${units.B1.name}2栋`,
        description: '矩阵测试：批量上报的小广告',
      }).toString(),
    }),
    200,
    'open311 batch request',
  ).json()[0] as { token: string };
  const byToken = expectStatus(
    await w.app.inject({ url: `/open311/v2/tokens/${batched.token}.json` }),
    200,
    'open311 token',
  ).json()[0] as { service_request_id: string };
  const listedB1 = (await as.admin.get('/api/v1/cases?source=open311&limit=50')).json().items as {
    id: string;
    number: string;
  }[];
  const viaBatch = listedB1.find((c) => c.number === byToken.service_request_id)!;
  const o311b = w.add({
    kind: 'case',
    id: viaBatch.id,
    unit: units.B1,
    readBy: ['cases.read'],
    tokens: [viaBatch.id, viaBatch.number],
    data: {
      number: viaBatch.number,
      status: 'reported',
      photoId: '',
      squadId: '',
      departmentId: '',
      followers: '',
      open311: 'true',
      token: batched.token,
    },
    label: 'reported case at B1 filed through Open311 (batch)',
  });
  o311b.also = caseAlso(w, () => o311b);
  const o311 = w.add({
    kind: 'case',
    id: viaOpen311.id,
    unit: units.A1,
    readBy: ['cases.read'],
    tokens: [viaOpen311.id, viaOpen311.number],
    data: {
      number: viaOpen311.number,
      status: 'reported',
      photoId: '',
      squadId: '',
      departmentId: '',
      followers: '',
      open311: 'true',
    },
    label: 'reported case at A1 filed through Open311',
  });
  o311.also = caseAlso(w, () => o311);

  // ---------- patrols ----------
  for (const [c, place] of [
    [as.hanlinSquad, 'A1'],
    [as.jiaheSquad, 'B1'],
    [as.d2Squad, 'D2C'],
  ] as const) {
    const p = await makePatrol(w, c, units[place], true);
    w.add(p);
  }

  // ---------- admission: requests, the tasks an approval makes, outside reports ----------
  await buildAdmission(w);

  // ---------- messages and sessions: each caller's own, and another resident's ----------
  for (const c of w.callers) {
    if (!c.accountId || !c.unit) continue;
    const sessions = (await c.client.get('/api/v1/me/sessions')).json().items as {
      id: string;
      current: boolean;
    }[];
    const mine = sessions.find((x) => x.current) ?? sessions[0];
    if (mine)
      w.add({
        kind: 'session',
        id: mine.id,
        unit: c.unit,
        owner: c.accountId,
        readBy: [],
        label: `${c.name}'s session`,
      });
    const messages = (await c.client.get('/api/v1/messages')).json().items as { id: string }[];
    if (messages[0])
      w.add({
        kind: 'message',
        id: messages[0].id,
        unit: c.unit,
        owner: c.accountId,
        readBy: [],
        label: `${c.name}'s message`,
      });
  }
  for (const [c, owner] of [
    [as.r2, w.ids.r2],
    [as.r3, w.ids.r3],
  ] as const) {
    const sessions = (await c.get('/api/v1/me/sessions')).json().items as { id: string }[];
    w.add({
      kind: 'session',
      id: sessions[0]!.id,
      unit: units.A1,
      owner,
      readBy: [],
      label: 'another resident’s session',
    });
    const messages = (await c.get('/api/v1/messages')).json().items as { id: string }[];
    w.add({
      kind: 'message',
      id: messages[0]!.id,
      unit: units.A1,
      owner,
      readBy: [],
      label: 'another resident’s message',
    });
  }

  // ---------- yellow and red cards: the SLA job run a month later (every open case is late) ----------
  await runSlaSweep({ db: w.db, clock: new FakeClock(new Date(Date.parse(WORLD_NOW) + 30 * 86_400_000)) });

  // ---------- audit entries at A1, B1 and D2 ----------
  for (const [by, place] of [
    [as.admin, 'A1'],
    [as.admin, 'B1'],
    [as.d2admin, 'D2C'],
  ] as const) {
    const entry = (await (await by.get(`/api/v1/audit?orgUnitId=${units[place].id}&limit=1`)).json())
      .items[0];
    w.add({
      kind: 'audit',
      id: String(entry.id),
      unit: units[place],
      readBy: ['audit.read'],
      tokens: [],
      label: `audit entry at ${place}`,
    });
  }

  // ---------- jobs: dead letters of D1, of D2, and of the whole deployment (core/jobs) ----------
  for (const [place, districtId] of [
    ['D1', units.D1.districtId],
    ['D2', units.D2.districtId],
    ['D1', null],
  ] as const) {
    const id = await buildDeadJob(w.t.database, { name: 'test.matrix', districtId });
    // A deployment-wide job is every district administrator's; D1's stands for them here.
    w.add({
      kind: 'job',
      id,
      unit: units[place],
      readBy: ['jobs.manage'],
      label: districtId ? `dead job of ${place}` : 'dead job of the deployment',
    });
  }
}

/** A dead job (a dead letter) of `district`'s data, for steps that change it (retry). */
export async function makeDeadJob(w: World, district: Unit): Promise<Rec> {
  const id = await buildDeadJob(w.t.database, { name: 'test.matrix', districtId: district.districtId });
  return w.add({
    kind: 'job',
    id,
    unit: district,
    readBy: ['jobs.manage'],
    label: `dead job of ${district.place}`,
  });
}

/** A notice published (and, when asked, retracted) by `by` for `unit`. */
export async function makeNotice(w: World, by: Client, unit: Unit, retracted: boolean): Promise<Rec> {
  const res = expectStatus(
    await by.post('/api/v1/notices', {
      orgUnitId: unit.id,
      title: `矩阵通知 ${unit.name}`,
      body: '本周六上午社区组织义诊，欢迎居民参加。',
    }),
    201,
    'notice',
  );
  const id = res.json().id as string;
  if (retracted) expectStatus(await by.post(`/api/v1/notices/${id}/retract`), 200, 'retract notice');
  return w.add({
    kind: 'notice',
    id,
    unit,
    public: !retracted,
    readBy: ['notices.manage'],
    data: { status: retracted ? 'retracted' : 'published' },
    label: `${retracted ? 'retracted' : 'published'} notice at ${unit.place}`,
  });
}

/** A resident's 办件 at their community, with two material files. */
export async function makeApplication(
  w: World,
  p: { client: Client; owner: string; unit: Unit; itemId: string },
): Promise<Rec> {
  const body = multipart([
    { name: 'itemId', value: p.itemId },
    { name: 'orgUnitId', value: p.unit.id },
    { name: 'note', value: '矩阵测试：代办低保申请' },
    ...material('身份证', 'id.jpg', JPEG, 'image/jpeg'),
    ...material('户口簿', 'hukou.png', PNG),
    ...bring(w.proxyRequired),
  ]);
  const res = expectStatus(
    await p.client.post('/api/v1/applications', body.payload, body.headers),
    201,
    'application',
  );
  const a = res.json();
  return w.add({
    kind: 'application',
    id: a.id,
    unit: p.unit,
    owner: p.owner,
    readBy: ['applications.handle'],
    data: { fileId: a.files?.[0]?.id ?? '', status: a.status, departmentId: a.department?.id ?? '' },
    label: `application at ${p.unit.place}`,
  });
}

/** An office-hour session a week ahead, held by `by`'s department (D2: its first department). */
export async function makeOfficeHour(w: World, by: Client, unit: Unit): Promise<Rec> {
  const d2 = unit.districtId !== w.units.D1.districtId;
  const start = new Date(Date.parse(WORLD_NOW) + 7 * 86_400_000);
  const res = expectStatus(
    await by.post('/api/v1/office-hours', {
      orgUnitId: unit.id,
      ...(d2 ? { departmentId: w.ids.d2Dept } : {}),
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3 * 3_600_000).toISOString(),
      place: `${unit.name}便民服务室`,
      itemIds: [d2 ? w.items.d2proxy : w.items.proxy],
      capacity: 20,
    }),
    201,
    'office hour',
  );
  return w.add({
    kind: 'officeHour',
    id: res.json().id,
    unit,
    public: true,
    data: { departmentId: d2 ? w.ids.d2Dept : w.ids.minzhengDept },
    label: `office hours at ${unit.place}`,
  });
}

/** A resident's booking of a session. */
export async function makeBooking(w: World, c: Client, owner: string, session: Rec): Promise<Rec> {
  const res = expectStatus(await c.post(`/api/v1/office-hours/${session.id}/bookings`), 201, 'booking');
  return w.add({
    kind: 'booking',
    id: res.json().id,
    unit: session.unit,
    owner,
    readBy: ['offerings.manage', 'office_hours.manage'],
    data: { sessionId: session.id },
    label: `booking at ${session.unit.place}`,
  });
}

export async function makeKey(w: World, by: Client, district: Unit): Promise<Rec> {
  const res = expectStatus(
    await by.post('/api/v1/open311-keys', { partnerName: `矩阵合作应用${district.place}` }),
    201,
    'open311 key',
  );
  return w.add({
    kind: 'open311Key',
    id: res.json().id,
    unit: district,
    readBy: ['open311.manage'],
    // The plain key is shown once, to whoever issued it, and never again.
    tokens: [res.json().key],
    data: { key: res.json().key },
    label: `open311 key of ${district.place}`,
  });
}

/** A patrol of `c`'s squad, stopped unless `active`. */
export async function makePatrol(w: World, c: Client, unit: Unit, stopped: boolean): Promise<Rec> {
  const res = expectStatus(await c.post('/api/v1/patrols', {}), 201, 'patrol');
  const id = res.json().id as string;
  if (stopped) expectStatus(await c.post(`/api/v1/patrols/${id}/stop`), 200, 'stop patrol');
  return w.add({
    kind: 'patrol',
    id,
    unit,
    owner: res.json().member.id,
    readBy: ['cases.read'],
    label: `patrol at ${unit.place}`,
  });
}

const requestBase = {
  description: '矩阵测试：请各社区组织居民在朋友圈转发文旅节宣传海报并截图上报。',
  legalBasis: '区委宣传部通知',
  periodStart: '2026-12-01',
  periodEnd: '2027-02-28',
  recurrence: 'recurring',
  estimatedHoursPerMonth: 4,
  fundingYuanPerMonth: 0,
  forms: [],
  meetingsPerMonth: 0,
  inspectsCommunities: false,
  ratesCommunities: false,
};

/** Files an admission request targeting `targets`; with `approve`, the office approves it (tasks follow). */
export async function makeRequest(
  w: World,
  by: Client,
  targets: Unit[],
  opts: { approve?: Client; title?: string } = {},
): Promise<Rec> {
  const res = expectStatus(
    await by.post('/api/v1/admission/requests', {
      ...requestBase,
      title: opts.title ?? `矩阵测试：文旅节宣传转发 ${targets.map((u) => u.place).join('+')}`,
      targets: { mode: 'chosen', orgUnitIds: targets.map((u) => u.id) },
    }),
    201,
    'admission request',
  );
  const r = res.json();
  if (opts.approve) {
    expectStatus(
      await opts.approve.post(`/api/v1/admission/requests/${r.id}/decide`, {
        decision: 'approve',
        reasons: '同意',
      }),
      200,
      'approve request',
    );
  }
  const district = targets[0]!.districtId === w.units.D1.districtId ? w.units.D1 : w.units.D2;
  const targetPaths = targets.map((u) => u.path);
  const departmentId = r.department?.id ?? '';
  return w.add({
    kind: 'admissionRequest',
    id: r.id,
    unit: district,
    readBy: ['admission.review'],
    also: (c) =>
      (c.role === 'department_staff' && c.departmentId === departmentId) ||
      (c.perms.has('admission.comment') && targetPaths.some((p) => covers(c, p))) ||
      // Once approved, the target communities' inboxes hold its task (which names it).
      (!!opts.approve && c.perms.has('admission.inbox') && targetPaths.some((p) => covers(c, p))),
    data: { status: opts.approve ? 'approved' : r.status, departmentId, targets: targetPaths.join(',') },
    label: `admission request for ${targets.map((u) => u.place).join('+')}${opts.approve ? ' (approved)' : ''}`,
  });
}

async function buildAdmission(w: World) {
  const { as, units } = w;
  const d2dept = await staffAccount(w, as.d2admin, units.D2, 'department_staff', {
    departmentId: w.ids.d2Dept,
  });
  const d2deptClient = await loginAs(w.app, d2dept.username, PASSWORD);
  await makeRequest(w, as.minzheng, [units.A1]);
  await makeRequest(w, as.minzheng, [units.B1]);
  const approved = await makeRequest(w, as.minzheng, [units.A1, units.A2, units.B1], { approve: as.admin });
  const d2approved = await makeRequest(w, d2deptClient, [units.D2C], { approve: as.d2admin });
  for (const [by, r] of [
    [as.admin, approved],
    [as.d2admin, d2approved],
  ] as const) {
    const detail = expectStatus(
      await by.get(`/api/v1/admission/requests/${r.id}`),
      200,
      'request detail',
    ).json();
    for (const task of detail.tasks as { id: string; orgUnit: { id: string } }[]) {
      const unit = Object.values(units).find((u) => u.id === task.orgUnit.id)!;
      w.add({ kind: 'task', id: task.id, unit, readBy: ['admission.inbox'], label: `task at ${unit.place}` });
    }
  }
  for (const [by, place] of [
    [as.admin, 'A1'],
    [as.admin, 'B1'],
    [as.d2admin, 'D2C'],
  ] as const) {
    w.add(await makeOutsideReport(w, by, units[place]));
  }
}

export async function makeOutsideReport(w: World, by: Client, unit: Unit): Promise<Rec> {
  const res = expectStatus(
    await by.post('/api/v1/admission/outside-reports', {
      departmentName: '区创文办',
      kind: 'meeting',
      what: '矩阵测试：电话通知社区书记每周参加创文推进会',
      happenedOn: '2026-11-26',
      channel: '电话',
      estimatedHours: 2,
      orgUnitId: unit.id,
    }),
    201,
    'outside report',
  );
  return w.add({
    kind: 'outsideReport',
    id: res.json().id,
    unit,
    readBy: ['admission.oversight', 'admission.inbox'],
    label: `outside report at ${unit.place}`,
  });
}

export interface CaseSpec {
  reporter: Client;
  owner: string;
  unit: Unit;
  state: 'reported' | 'registered' | 'dispatched' | 'accepted' | 'handling' | 'handled' | 'closed' | 'rated';
  /** Dispatched to 罗江区民政局 instead of the community's squad. */
  department?: boolean;
  /** Rated unsatisfied (so a reopen is possible). */
  rating?: 'satisfied' | 'unsatisfied';
}

const STATE_ORDER = [
  'reported',
  'registered',
  'dispatched',
  'accepted',
  'handling',
  'handled',
  'closed',
  'rated',
];

/** A case reported by a resident and walked through the workflow to `state`, through the API. */
export async function makeCase(w: World, s: CaseSpec): Promise<Rec> {
  const { units, as } = w;
  const d2 = s.unit.districtId !== units.D1.districtId;
  const fields: Record<string, string | number> = {
    categoryCode: '0201',
    description: `矩阵测试：${s.unit.name}楼道里贴满了小广告`,
    address: s.unit.kind === 'grid' ? '' : `${s.unit.name}3栋`,
  };
  if (s.unit.kind === 'grid') {
    const point = await gridPoint(w, s.unit);
    fields.lat = point.lat;
    fields.lng = point.lng;
    delete fields.address;
  }
  const id = await reportCase(s.reporter, fields);
  const reach = (st: string) => STATE_ORDER.indexOf(s.state) >= STATE_ORDER.indexOf(st);
  const staff = d2 ? as.d2admin : as.admin;
  const squadClient = d2
    ? as.d2Squad
    : s.unit.districtId === units.D1.districtId && s.unit.path.startsWith(units.TB.path)
      ? as.jiaheSquad
      : as.hanlinSquad;
  const handler = s.department ? as.minzheng : squadClient;
  if (reach('registered')) await stepCase(staff, id, 'register');
  if (reach('dispatched'))
    await stepCase(
      staff,
      id,
      'dispatch',
      s.department ? { kind: 'department', targetId: w.ids.minzhengDept } : {},
    );
  if (reach('accepted')) await stepCase(handler, id, 'accept');
  if (reach('handling')) await stepCase(handler, id, 'start');
  if (reach('handled')) await handleCase(handler, id);
  if (reach('closed')) await stepCase(staff, id, 'verify-pass');
  if (reach('rated')) await stepCase(s.reporter, id, 'rate', { rating: s.rating ?? 'satisfied' });
  const detail = expectStatus(await staff.get(`/api/v1/cases/${id}`), 200, 'case detail').json();
  const rec: Rec = w.add({
    kind: 'case',
    id,
    unit: units[s.unit.place],
    owner: s.owner,
    readBy: ['cases.read'],
    tokens: [id, detail.number],
    data: {
      number: detail.number,
      status: detail.status,
      ...(fields.lat === undefined ? {} : { lat: String(fields.lat), lng: String(fields.lng) }),
      photoId: detail.photos?.[0]?.id ?? '',
      squadId: detail.handler?.kind === 'squad' ? detail.handler.id : '',
      departmentId: detail.handler?.kind === 'department' ? detail.handler.id : '',
      followers: '',
    },
    label: `${s.state} case at ${s.unit.place}${s.department ? ' (department)' : ''}`,
  });
  if (detail.unit?.id !== s.unit.id && detail.orgUnit?.id !== s.unit.id) {
    const placed = detail.orgUnit?.id ?? detail.unit?.id;
    if (placed && placed !== s.unit.id)
      throw new Error(`world: case placed in ${placed}, not ${s.unit.place}`);
  }
  rec.also = caseAlso(w, () => rec);
  return rec;
}

/** A point inside a grid's outline (the middle of its bounding box, checked against the report). */
async function gridPoint(w: World, grid: Unit) {
  const res = expectStatus(
    await w.as.admin.get(`/api/v1/org-units/${grid.id}/boundary`),
    200,
    'grid boundary',
  );
  const geometry = res.json().geometry as { type: string; coordinates: number[][][] | number[][][][] };
  const ring = (
    geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.coordinates[0]![0]
  ) as number[][];
  const lngs = ring.map((p) => p[0]!);
  const lats = ring.map((p) => p[1]!);
  return {
    lng: (Math.min(...lngs) + Math.max(...lngs)) / 2,
    lat: (Math.min(...lats) + Math.max(...lats)) / 2,
  };
}
