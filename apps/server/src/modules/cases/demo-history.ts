import type { CaseRating, CaseStatus } from '@linli/contracts';
import { and, eq, sql } from 'drizzle-orm';
import type { AuditBatchEntry } from '../../core/audit';
import { bulkInsert, withIndexesDeferred } from '../../core/db/bulk';
import { auditLog } from '../../core/schema';
import {
  DAY_MS,
  DEMO_HISTORY_DAYS,
  DEMO_HISTORY_SEED,
  type DemoRandom,
  demoHistoryDone,
  demoRandom,
  finishDemoHistory,
  HOUR_MS,
  historyAnchor,
  historyWanted,
  uuidv7At,
} from '../../core/demo-history';
import type { SeedContext } from '../../core/module';
import { beijingDate, beijingTime, loadCalendar, type WorkingCalendar } from '../calendar';
import { type DemoCommunity, type DemoPeople, demoPeople } from '../identity/demo-history';
import { findOrgUnit, placesOfDistrict } from '../identity/lookups';
import { type AreaGeometry, type Position, pointInGeometry } from './geometry';
import { listCategories } from './queries';
import { rebuildCaseStats, rowsOf } from './rollups';
import {
  type CaseCategoryRow,
  caseFollowers,
  caseHistory,
  caseHotspotsDaily,
  caseRoutingRules,
  caseSlaCards,
  cases,
  caseStatsWeekly,
  orgUnitBoundaries,
  squadMembers,
  squads,
} from './schema';
import { SQUAD_CATEGORY_CODES } from './seed';
import { PUBLIC_STEPS, REOPEN_WINDOW_DAYS, SLA_OF_STATE, STATUS_TITLES, stepDeadline } from './workflow';

/**
 * A year of 城社共治 for the demo district (LINLI_DEMO_HISTORY), generated once at the first start:
 * a few thousand cases over every community and category, each with its whole history as the
 * workflow writes it (report → register → dispatch → accept → start → handle → verify → close →
 * rate; some not registered, sent back, failing verification, reopened after 不满意, late with
 * their yellow and red cards, supervised), placed inside its community's boundary, with "me too"
 * followers, an audit row per step, and the statistics rollups rebuilt from the rows.
 *
 * The story the statistics tell is the article's: in each community that got a squad, residents'
 * complaints about what the squad handles fall after the squad's start date (set here when the
 * squad has none), while the squad's own patrol finds rise; elsewhere volume follows the seasons.
 * Deterministic: a seeded random source (core/demo-history.ts) and a fixed "now" (the hour of
 * the first start).
 */

const MODULE = 'cases';

/** Complaints per day in an ordinary community before any squad (scaled by `communityRate`). */
const RATE = { central: 0.085, urban: 0.04, village: 0.018 };
/** Complaints per day in the communities that get a squad (the article's busiest places). */
const SQUAD_COMMUNITY_RATE = [0.9, 0.72];
/** After a squad starts, complaints in its categories fall to this share, over `RAMP_DAYS`. */
const SQUAD_COMPLAINT_SHARE = 0.15;
const RAMP_DAYS = 35;
/** Patrol finds per day once a squad is at full strength. */
const PATROL_RATE = [0.4, 0.3];
/** Months before the anchor's month that the demo squads started (the first, the second…). */
const SQUAD_START_MONTHS_BACK = [7, 5, 4, 3];

/** How often residents report each sub-category (urban; villages adjust with VILLAGE_FACTOR). */
const CATEGORY_WEIGHTS: Record<string, number> = {
  '0101': 2,
  '0102': 6,
  '0103': 1.5,
  '0104': 3,
  '0106': 1,
  '0107': 0.6,
  '0108': 1.5,
  '0110': 2,
  '0112': 0.8,
  '0113': 0.4,
  '0115': 0.6,
  '0116': 2,
  '0117': 0.4,
  '0118': 0.3,
  '0201': 5,
  '0202': 1.5,
  '0203': 1,
  '0204': 0.6,
  '0205': 0.8,
  '0301': 2,
  '0302': 1.5,
  '0303': 0.8,
  '0304': 1,
  '0401': 0.2,
  '0402': 0.4,
  '0403': 0.1,
  '0404': 2,
  '0406': 1,
  '0408': 1,
  '0501': 3,
  '0502': 0.4,
  '0503': 0.8,
  '0504': 4,
  '0505': 5,
  '0506': 3,
  '0507': 2,
  '0508': 2,
  '0509': 0.5,
  '0510': 2,
  '0511': 1,
  '0513': 0.5,
  '2101': 5,
  '2102': 3,
  '2103': 1.5,
  '2104': 2,
  '2105': 3,
  '2106': 3,
  '2107': 0.8,
  '2108': 2.5,
  '2109': 1.5,
  '2110': 2,
  '2111': 2.5,
  '2112': 2.5,
};
const VILLAGE_FACTOR: Record<string, number> = {
  '0103': 3,
  '0115': 6,
  '0118': 6,
  '0110': 2,
  '2109': 2,
  '0406': 1.5,
  '05': 0.3,
  '02': 0.4,
  '2102': 0.5,
  '2106': 0.4,
  '2111': 0.2,
};
/** Problems that keep coming back at one spot (index into the urban spots below). */
const CHRONIC = [
  { code: '2102', spot: 1 },
  { code: '0504', spot: 0 },
  { code: '0501', spot: 0 },
  { code: '0505', spot: 2 },
  { code: '0510', spot: 1 },
  { code: '2106', spot: 3 },
];
/** Summer-heavy categories (noise, barbecues, standing water). */
const SUMMER = ['0406', '0510', '2101', '2102', '2103', '0116', '2104'];

/** What residents write, by sub-category (`{p}`: the place). */
const DESCRIPTIONS: Record<string, string[]> = {
  '0101': ['{p}有人在楼顶搭建彩钢棚，担心安全问题', '{p}一楼住户私自扩建围墙，占用公共绿地'],
  '0102': ['{p}垃圾桶满了没人清运，气味很大', '{p}路边堆着几袋生活垃圾，已经好几天了'],
  '0103': ['{p}装修垃圾和渣土堆在路边，一直没人清理'],
  '0104': ['{p}路面很脏，落叶和纸屑没人清扫'],
  '0108': ['{p}有人把旧沙发、床垫丢在路边'],
  '0110': ['{p}人行道地砖松动破损，老人容易绊倒', '{p}路面有个坑，下雨积水，电动车经过很危险'],
  '0115': ['{p}有人焚烧垃圾和树叶，烟很大'],
  '0116': ['{p}烧烤店油烟直排，楼上住户没法开窗'],
  '0201': ['{p}墙上、电线杆上贴满了小广告', '{p}单元门上被喷涂了办证小广告'],
  '0202': ['{p}商户私自挂了很大的广告横幅'],
  '0205': ['{p}店招广告牌破损松动，刮风时怕掉下来'],
  '0301': ['{p}工地早上六点就开始施工，噪音扰民'],
  '0302': ['{p}工地没有覆盖，扬尘很大'],
  '0304': ['{p}施工围挡占用了人行道，行人只能走机动车道'],
  '0404': ['{p}下水道堵塞，污水冒到路面上'],
  '0406': ['{p}下雨后路面积水很深，车辆和行人无法通行'],
  '0408': ['{p}有电线垂下来挂得很低，存在安全隐患'],
  '0501': ['{p}游商占道摆摊卖水果，堵塞交通'],
  '0504': ['{p}商户把货物摆到店外人行道上经营', '{p}餐馆把桌椅摆到人行道上'],
  '0505': ['{p}机动车乱停放，堵住了消防通道', '{p}车辆长期停在人行道上，行人无法通行'],
  '0506': ['{p}共享单车和电动车乱停，堵住了路口'],
  '0507': ['{p}有人在公共区域堆放建材杂物'],
  '0508': ['{p}商店门口音响声音很大，从早放到晚'],
  '0510': ['{p}夜间露天烧烤，烟雾和噪音扰民到凌晨'],
  '0511': ['{p}沿街住户在行道树上拉绳晾晒衣物'],
  '2101': ['{p}楼上装修噪音很大，周末也不停', '{p}邻居家深夜噪音扰民，多次沟通无果'],
  '2102': ['{p}广场舞音响声音太大，晚上十点后还在放', '{p}每天早上有人在小区里用大音响锻炼'],
  '2103': ['{p}夜间施工噪音，凌晨还在作业'],
  '2104': ['{p}楼下餐馆油烟扰民，家里窗户都不敢开'],
  '2105': ['{p}楼道里堆满杂物，堵塞了消防通道'],
  '2106': ['{p}有人从楼上拉电线给电动车充电，很危险', '{p}电动车停在楼道里充电'],
  '2107': ['{p}有人从楼上往下扔垃圾，差点砸到人'],
  '2108': ['{p}有人遛狗不牵绳，狗粪也不清理', '{p}邻居家狗整夜叫，影响休息'],
  '2109': ['{p}有住户毁掉绿化带种菜'],
  '2110': ['{p}垃圾分类投放不规范，厨余垃圾混在其他垃圾里'],
  '2111': ['{p}物业不作为，楼道灯坏了很久不修'],
  '2112': ['{p}健身器材损坏，存在安全隐患', '{p}路灯不亮，晚上出行不安全', '{p}井盖松动，车辆经过响声很大'],
};
const NOT_REGISTERED_REASONS = [
  '重复上报，已并入同一地点的诉求办理',
  '属物业服务范围，已告知居民向物业公司反映',
  '现场核实无此问题',
];
const SEND_BACK_REASONS = ['不属于本部门职责，请重新派遣', '位置信息有误，现场未找到'];
const VERIFY_FAIL_REASONS = ['现场复核仍有残留，请继续处置', '处置照片与现场情况不符，请重新处置'];
const HANDLE_NOTES = [
  '已到场处置，现场已恢复',
  '已责令当事人整改，整改完毕',
  '已清理完毕',
  '已劝导教育，当事人表示不再发生',
  '已联系责任单位修复',
];
const RATE_COMMENTS: Record<CaseRating, string[]> = {
  satisfied: ['处理很及时，谢谢！', '效率很高，点赞', '', ''],
  basically_satisfied: ['处理了，希望以后多巡查', ''],
  unsatisfied: ['问题又出现了', '处理不彻底', '等了太久'],
};

interface Step {
  step: string;
  from: CaseStatus | null;
  to: CaseStatus;
  at: number;
  actorId: string | null;
  note: string | null;
  public: boolean;
}

interface Card {
  level: 'yellow' | 'red';
  status: CaseStatus;
  unitKind: 'squad' | 'department' | 'person' | 'org_unit';
  unitId: string;
  dueAt: number;
  at: number;
}

/** Everything about one community the generator needs. */
interface Place {
  community: DemoCommunity;
  geometry: AreaGeometry | null;
  bbox: [number, number, number, number] | null;
  grids: { id: string; geometry: AreaGeometry }[];
  spots: { address: string; at: Position | null }[];
  roads: string[];
  rate: number;
  squad: { id: string; startedOn: number; members: string[]; patrolRate: number; rank: number } | null;
  staff: string[];
  residents: string[];
  /** A problem that keeps coming back at one spot (the repeat hotspots), per day. */
  chronic: { code: string; spot: number; rate: number } | null;
}

const isSquadCategory = (code: string) => SQUAD_CATEGORY_CODES.some((p) => code.startsWith(p));

const stemOf = (name: string) => name.replace(/(社区|村)$/, '');

function randomPointIn(random: DemoRandom, place: Place): Position | null {
  if (!place.geometry || !place.bbox) return null;
  const [minLng, minLat, maxLng, maxLat] = place.bbox;
  for (let i = 0; i < 60; i++) {
    const p: Position = [random.between(minLng, maxLng), random.between(minLat, maxLat)];
    if (pointInGeometry(p, place.geometry) === 'inside') return p;
  }
  return null;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Seed (demo, LINLI_DEMO_HISTORY): the year of cases, once. Runs after the identity history
 * (residents, community workers, department staff) and the demo squads.
 */
export async function seedCaseHistory(ctx: SeedContext): Promise<void> {
  if (!historyWanted(ctx) || (await demoHistoryDone(ctx.db, MODULE))) return;
  const began = performance.now();
  const db = ctx.db;
  const anchor = historyAnchor(ctx).getTime();
  const start = anchor - DEMO_HISTORY_DAYS * DAY_MS;
  const seed = DEMO_HISTORY_SEED + 2;
  const random = await demoRandom(seed);
  const people = await demoPeople(db);
  const { districtId } = people;
  const calendar = await loadCalendar(db, districtId);
  const categories = (await listCategories(db, districtId)).filter((c) => c.level === 'sub' && c.enabled);
  const rules = await db.select().from(caseRoutingRules).where(eq(caseRoutingRules.districtId, districtId));
  const places = await loadPlaces(ctx, people, random, anchor);
  if (categories.length === 0 || places.length === 0) return;
  const zfj = people.departments.find((d) => d.code === 'ZFJ') ?? people.departments[0]!;
  const departmentOf = (c: CaseCategoryRow): string => {
    const rule = rules
      .filter((r) => c.code.startsWith(r.categoryCode))
      .sort((a, b) => b.categoryCode.length - a.categoryCode.length)[0];
    const id =
      rule?.departmentId ?? people.departments.find((d) => d.name === c.defaultDepartment)?.id ?? null;
    return id ?? zfj.id;
  };
  const deptStaff = new Map<string, string[]>();
  for (const s of people.staff)
    if (s.departmentId) deptStaff.set(s.departmentId, [...(deptStaff.get(s.departmentId) ?? []), s.id]);
  const admins = people.staff
    .filter((s) => s.grants.some((g) => g.roleCode === 'district_admin' || g.roleCode === 'town_admin'))
    .map((s) => s.id);
  const anyResidents = people.residents.map((r) => r.id);

  const villageFactor = (code: string) => VILLAGE_FACTOR[code] ?? VILLAGE_FACTOR[code.slice(0, 2)] ?? 1;
  const weightsFor = (urban: boolean, squadOnly: boolean, day: number, squadHeavy = 1) => {
    const summer = 1 + 0.6 * Math.max(0, Math.sin((2 * Math.PI * (dayOfYear(day) - 105)) / 365));
    return categories
      .filter((c) => !squadOnly || isSquadCategory(c.code))
      .map((c) => {
        let w = CATEGORY_WEIGHTS[c.code] ?? 0.15;
        if (!urban) w *= villageFactor(c.code);
        if (SUMMER.includes(c.code)) w *= summer;
        if (isSquadCategory(c.code)) w *= squadHeavy;
        return [c, w] as const;
      });
  };

  // 1. Who reports what, where and when.
  interface Draft {
    place: Place;
    category: CaseCategoryRow;
    at: number;
    source: 'resident' | 'patrol';
    spot?: number;
  }
  const byCode = new Map(categories.map((c) => [c.code, c]));
  const drafts: Draft[] = [];
  for (let day = start; day < anchor; day += DAY_MS) {
    const season = 1 + 0.12 * Math.sin((2 * Math.PI * (dayOfYear(day) - 105)) / 365);
    const festival = springFestivalDip(day);
    const weekend = [0, 6].includes(new Date(day + 8 * HOUR_MS).getUTCDay()) ? 1.1 : 1;
    const urbanWeights = weightsFor(true, false, day);
    const villageWeights = weightsFor(false, false, day);
    const squadWeights = weightsFor(true, true, day);
    // The busy centres that got squads first: street order and noise are most of what people report.
    const coreWeights = weightsFor(true, false, day, 1.8);
    for (const place of places) {
      const n = random.poisson(place.rate * season * festival * weekend);
      const chronic = place.chronic && byCode.get(place.chronic.code);
      const repeats = chronic ? random.poisson(place.chronic!.rate * season) : 0;
      for (let i = 0; i < n + repeats; i++) {
        const category =
          i >= n
            ? chronic!
            : random.weighted(
                place.squad ? coreWeights : place.community.urban ? urbanWeights : villageWeights,
              );
        const at = day + reportHour(random) * HOUR_MS + random.int(0, 59) * 60_000;
        // After the squad came, fewer residents need to complain about what it now patrols.
        const sq = place.squad;
        if (sq && isSquadCategory(category.code) && at >= sq.startedOn) {
          const ramp = Math.min(1, (at - sq.startedOn) / (RAMP_DAYS * DAY_MS));
          if (!random.chance(1 - (1 - SQUAD_COMPLAINT_SHARE) * ramp)) continue;
        }
        drafts.push({
          place,
          category,
          at,
          source: 'resident',
          ...(i >= n ? { spot: place.chronic!.spot } : {}),
        });
      }
      const sq = place.squad;
      if (sq && day + DAY_MS > sq.startedOn) {
        const strength = Math.min(1, Math.max(0, (day - sq.startedOn) / (RAMP_DAYS * DAY_MS)));
        const finds = random.poisson(sq.patrolRate * (0.3 + 0.7 * strength));
        for (let i = 0; i < finds; i++) {
          const at = day + random.between(8.5, 17.5) * HOUR_MS;
          if (at < sq.startedOn) continue;
          drafts.push({ place, category: random.weighted(squadWeights), at, source: 'patrol' });
        }
      }
    }
  }
  drafts.sort((a, b) => a.at - b.at);

  // 2. Numbers: the running number of live reports (`case_number_seq`), a block of it taken at
  // once so that later reports follow on.
  const [reserved] = rowsOf<{ last: string | number }>(
    await db.execute(
      sql`SELECT setval('case_number_seq', nextval('case_number_seq') + ${Math.max(drafts.length, 1) - 1}) AS last`,
    ),
  );
  let running = Number(reserved!.last) - Math.max(drafts.length, 1);
  const prefix = (await findOrgUnit(db, districtId))?.code ?? '510604';

  // 3. Each case's life.
  const caseRows: (typeof cases.$inferInsert)[] = [];
  const historyRows: (typeof caseHistory.$inferInsert)[] = [];
  const cardRows: (typeof caseSlaCards.$inferInsert)[] = [];
  const followerRows: (typeof caseFollowers.$inferInsert)[] = [];
  const audits: AuditBatchEntry[] = [];
  for (const d of drafts) {
    const day = beijingDate(new Date(d.at));
    running++;
    const number = `${prefix}-${day.replaceAll('-', '')}-${String(running).padStart(4, '0')}`;
    const life = simulate(d, {
      random,
      calendar,
      anchor,
      departmentOf,
      deptStaff,
      admins,
      anyResidents,
    });
    const id = uuidv7At(d.at, random);
    const point = pointFor(random, d.place, life.spot);
    const grid = point
      ? d.place.grids.find((g) => pointInGeometry(point, g.geometry) !== 'outside')
      : undefined;
    const orgUnitId = grid?.id ?? d.place.community.id;
    const last = life.steps[life.steps.length - 1]!;
    caseRows.push({
      id,
      districtId,
      number,
      categoryCode: d.category.code,
      description: describe(random, d.category, life.spot.address),
      lat: point ? round6(point[1]) : null,
      lng: point ? round6(point[0]) : null,
      address: life.spot.address,
      orgUnitId,
      communityId: d.place.community.id,
      handlerKind: life.handler.kind,
      squadId: life.handler.squadId,
      departmentId: life.handler.departmentId,
      handlerId: life.handler.personId,
      handledBy: life.handledBy,
      status: last.to,
      stepStartedAt: new Date(life.waitStart),
      dueAt: life.dueAt === null ? null : new Date(life.dueAt),
      redAt: life.redAt === null ? null : new Date(life.redAt),
      overdueLevel: life.overdueLevel,
      hideName: d.source === 'resident' && random.chance(0.18),
      reporterId: life.reporterId,
      source: d.source,
      reopened: life.reopened,
      supervised: life.supervisionNote !== null,
      supervisionNote: life.supervisionNote,
      rating: life.rating,
      ratingComment: life.ratingComment,
      notRegisteredReason: life.notRegisteredReason,
      sendBackReason: life.sendBackReason,
      closedAt: life.closedAt === null ? null : new Date(life.closedAt),
      createdAt: new Date(d.at),
      updatedAt: new Date(last.at),
    });
    for (const s of life.steps) {
      historyRows.push({
        id: uuidv7At(s.at, random),
        caseId: id,
        step: s.step,
        fromStatus: s.from,
        toStatus: s.to,
        actorId: s.actorId,
        note: s.note,
        public: s.public,
        at: new Date(s.at),
      });
      if (s.step === 'sla_yellow' || s.step === 'sla_red') continue;
      audits.push({
        action: `case.${s.step}`,
        entityType: 'case',
        entityId: id,
        orgUnitId,
        districtId,
        at: new Date(s.at),
        actorId: s.actorId,
        ...(s.step === 'report'
          ? {
              after: {
                number,
                status: 'reported',
                categoryCode: d.category.code,
                source: d.source,
                handlerKind: life.routedKind,
              },
              note: { photos: 0, placedBy: point ? 'boundary' : 'address' },
            }
          : { before: { status: s.from }, after: { status: s.to } }),
      });
    }
    for (const c of life.cards) {
      cardRows.push({
        id: uuidv7At(c.at, random),
        districtId,
        caseId: id,
        level: c.level,
        status: c.status,
        unitKind: c.unitKind,
        unitId: c.unitKind === 'org_unit' ? d.place.community.id : c.unitId,
        dueAt: new Date(c.dueAt),
        at: new Date(c.at),
      });
      audits.push({
        action: 'case.overdue',
        entityType: 'case',
        entityId: id,
        orgUnitId,
        districtId,
        at: new Date(c.at),
        actorId: null,
        before: { overdueLevel: c.level === 'yellow' ? 0 : 1 },
        after: { overdueLevel: c.level === 'yellow' ? 1 : 2 },
        note: { cards: [c.level], status: c.status, unitKind: c.unitKind, notified: 0 },
      });
    }
    // "Me too": neighbours follow some open complaints instead of filing them again.
    if (d.source === 'resident' && last.to !== 'not_registered' && random.chance(0.08)) {
      const onBoard = life.steps.find((s) => s.step === 'register');
      const until = life.closedAt ?? anchor;
      const neighbours = d.place.residents.filter((r) => r !== life.reporterId);
      const n = Math.min(neighbours.length, random.int(1, 3));
      const chosen = new Set<string>();
      for (let i = 0; i < n && onBoard; i++) chosen.add(random.pick(neighbours));
      for (const accountId of chosen) {
        const at = Math.min(until - 60_000, onBoard!.at + random.between(0.2, 24) * HOUR_MS);
        if (at <= onBoard!.at) continue;
        followerRows.push({ caseId: id, accountId, createdAt: new Date(at) });
        audits.push({
          action: 'case.follow',
          entityType: 'case',
          entityId: id,
          orgUnitId,
          districtId,
          at: new Date(at),
          actorId: accountId,
          note: { follower: accountId },
        });
      }
    }
  }

  await db.transaction(async (tx) => {
    for (const p of places) {
      if (!p.squad?.rank) continue;
      // The squad had no start date: it gets the one the history was told from.
      const startedOn = beijingDate(new Date(p.squad.startedOn));
      await tx.update(squads).set({ startedOn }).where(eq(squads.id, p.squad.id));
      audits.push({
        action: 'squad.update',
        entityType: 'squad',
        entityId: p.squad.id,
        orgUnitId: p.community.id,
        districtId,
        at: new Date(anchor),
        actorId: null,
        before: { startedOn: null },
        after: { startedOn },
        note: { source: 'demo history' },
      });
    }
    await withIndexesDeferred(
      tx,
      [cases, caseHistory, caseStatsWeekly, caseHotspotsDaily, auditLog],
      async () => {
        await bulkInsert(tx, cases, caseRows);
        await bulkInsert(tx, caseHistory, historyRows);
        await bulkInsert(tx, caseSlaCards, cardRows);
        await bulkInsert(tx, caseFollowers, followerRows);
        // The rows went in behind the workflow's back: count them the way a bulk load is counted.
        await rebuildCaseStats(tx);
        await finishDemoHistory(tx, MODULE, districtId, audits, {
          anchor: new Date(anchor),
          seed,
          counts: {
            cases: caseRows.length,
            complaints: caseRows.filter((c) => c.source !== 'patrol').length,
            history: historyRows.length,
            cards: cardRows.length,
            followers: followerRows.length,
          },
        });
      },
    );
  });

  ctx.log.info(
    `demo history: ${caseRows.length} cases with ${historyRows.length} steps (${((performance.now() - began) / 1000).toFixed(1)} s)`,
  );
}

/** Day of the year (1–366) of a Beijing day's start. */
function dayOfYear(t: number): number {
  const d = new Date(t + 8 * HOUR_MS);
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

/** Fewer reports around the Spring Festival (late January to mid February, roughly). */
function springFestivalDip(t: number): number {
  const doy = dayOfYear(t);
  return doy >= 25 && doy <= 45 ? 0.6 : 1;
}

/** Hours of the day residents report at (Beijing), most in the morning and evening. */
function reportHour(random: DemoRandom): number {
  return random.weighted([
    [7, 2],
    [8, 5],
    [9, 8],
    [10, 8],
    [11, 6],
    [12, 3],
    [13, 3],
    [14, 5],
    [15, 6],
    [16, 6],
    [17, 5],
    [18, 4],
    [19, 5],
    [20, 6],
    [21, 5],
    [22, 3],
    [23, 1.5],
    [0, 0.5],
    [6, 1],
  ] as const);
}

/** The communities with their outlines, grids, busy spots, staff, residents and squads. */
async function loadPlaces(
  ctx: SeedContext,
  people: DemoPeople,
  random: DemoRandom,
  anchor: number,
): Promise<Place[]> {
  const db = ctx.db;
  const bounds = await db
    .select()
    .from(orgUnitBoundaries)
    .where(eq(orgUnitBoundaries.districtId, people.districtId));
  const boundaryOf = new Map(bounds.map((b) => [b.orgUnitId, b]));
  const units = await placesOfDistrict(db, people.districtId);
  const squadRows = await db
    .select()
    .from(squads)
    .where(and(eq(squads.districtId, people.districtId), eq(squads.status, 'active')));
  const memberRows = await db
    .select({ squadId: squadMembers.squadId, accountId: squadMembers.accountId })
    .from(squadMembers)
    .where(eq(squadMembers.active, true));
  const anchorMonth = beijingDate(new Date(anchor)).slice(0, 7);
  const squadCommunities = people.communities.filter((c) => squadRows.some((s) => s.orgUnitId === c.id));
  const residentsOf = new Map<string, string[]>();
  for (const r of people.residents)
    if (r.orgUnitId) residentsOf.set(r.orgUnitId, [...(residentsOf.get(r.orgUnitId) ?? []), r.id]);
  const staffAt = (unitIds: Set<string>, roles: string[]) =>
    people.staff
      .filter((s) => s.grants.some((g) => roles.includes(g.roleCode) && unitIds.has(g.orgUnitId)))
      .map((s) => s.id);
  return people.communities.map((community) => {
    const b = boundaryOf.get(community.id);
    const gridUnits = units.filter((u) => u.kind === 'grid' && u.path.startsWith(community.path));
    const own = new Set([community.id, ...gridUnits.map((g) => g.id)]);
    const squadRow = squadRows.find((s) => s.orgUnitId === community.id);
    const rank = squadCommunities.findIndex((c) => c.id === community.id);
    let squad: Place['squad'] = null;
    if (squadRow) {
      const given = squadRow.startedOn;
      const month = given ?? monthsBefore(anchorMonth, SQUAD_START_MONTHS_BACK[rank] ?? 3);
      squad = {
        id: squadRow.id,
        startedOn: beijingTime(given ?? `${month}-01`).getTime(),
        members: memberRows.filter((m) => m.squadId === squadRow.id).map((m) => m.accountId),
        patrolRate: PATROL_RATE[rank] ?? PATROL_RATE[PATROL_RATE.length - 1]!,
        // 0 when the squad already had its date (nothing to set), else its order + 1.
        rank: given ? 0 : rank + 1,
      };
    }
    const baseRate = squad
      ? (SQUAD_COMMUNITY_RATE[rank] ?? SQUAD_COMMUNITY_RATE[1]!)
      : (community.urban ? (community.central ? RATE.central : RATE.urban) : RATE.village) *
        random.between(0.6, 1.5);
    const place: Place = {
      community,
      geometry: (b?.geometry as AreaGeometry | undefined) ?? null,
      bbox: b ? [b.minLng, b.minLat, b.maxLng, b.maxLat] : null,
      grids: gridUnits
        .map((g) => ({ id: g.id, geometry: boundaryOf.get(g.id)?.geometry as AreaGeometry | undefined }))
        .filter((g): g is { id: string; geometry: AreaGeometry } => !!g.geometry),
      spots: [],
      roads: [],
      rate: baseRate,
      squad,
      chronic: community.urban
        ? { ...random.pick(CHRONIC), rate: squad ? 0.18 : community.central ? 0.1 : 0.06 }
        : null,
      staff: staffAt(own, ['community_worker', 'community_secretary']),
      residents: residentsOf.get(community.id) ?? [],
    };
    const stem = stemOf(community.name);
    const where = `${community.townName}${community.name}`;
    place.roads = community.urban
      ? [`${stem}路`, `${stem}街`, `${stem}北路`, `${stem}南街`, `${stem}巷`]
      : [`${stem}村道`, `${stem}组`];
    const spotNames = community.urban
      ? [
          `${stem}农贸市场门口`,
          `${stem}广场`,
          `${stem}小学门口`,
          `${stem}苑小区北门`,
          `${stem}路与${stem}街交叉口`,
        ]
      : [`${stem}村委会门口`, `${stem}村文化广场`];
    place.spots = spotNames.map((name) => ({ address: `${where}${name}`, at: randomPointIn(random, place) }));
    return place;
  });
}

function monthsBefore(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 - n, 1)).toISOString().slice(0, 7);
}

/** Near a busy spot (jittered ~20 m) or anywhere in the community. */
function pointFor(
  random: DemoRandom,
  place: Place,
  spot: { at: Position | null; spot: boolean },
): Position | null {
  if (spot.spot && spot.at && place.geometry) {
    for (let i = 0; i < 5; i++) {
      const p: Position = [
        spot.at[0] + random.between(-0.0002, 0.0002),
        spot.at[1] + random.between(-0.0002, 0.0002),
      ];
      if (pointInGeometry(p, place.geometry) === 'inside') return p;
    }
    return spot.at;
  }
  return randomPointIn(random, place);
}

function describe(random: DemoRandom, category: CaseCategoryRow, address: string): string {
  const place = address.replace(/^.*?(社区|村)/, '') || '这里';
  const texts = DESCRIPTIONS[category.code];
  const text = texts ? random.pick(texts) : `{p}${category.name}，请尽快处理`;
  return text.replace('{p}', place);
}

interface Life {
  steps: Step[];
  cards: Card[];
  spot: { address: string; at: Position | null; spot: boolean };
  handler: {
    kind: 'squad' | 'department' | null;
    squadId: string | null;
    departmentId: string | null;
    personId: string | null;
  };
  routedKind: 'squad' | 'department' | null;
  reporterId: string | null;
  handledBy: string | null;
  waitStart: number;
  dueAt: number | null;
  redAt: number | null;
  overdueLevel: number;
  reopened: boolean;
  rating: CaseRating | null;
  ratingComment: string | null;
  closedAt: number | null;
  notRegisteredReason: string | null;
  sendBackReason: string | null;
  supervisionNote: string | null;
}

interface SimulationDeps {
  random: DemoRandom;
  calendar: WorkingCalendar;
  anchor: number;
  departmentOf: (c: CaseCategoryRow) => string;
  deptStaff: Map<string, string[]>;
  admins: string[];
  anyResidents: string[];
}

/**
 * One case from its report to where it stands at the anchor: the steps the workflow would have
 * taken, each at a time within its deadline or, now and then, past it (with the cards the SLA
 * job would have given), stopping at the anchor.
 */
function simulate(
  d: { place: Place; category: CaseCategoryRow; at: number; source: 'resident' | 'patrol'; spot?: number },
  deps: SimulationDeps,
): Life {
  const { random, calendar, anchor } = deps;
  const { place, category } = d;
  const squad = place.squad && place.squad.startedOn <= d.at ? place.squad : null;
  const squadCase = isSquadCategory(category.code);
  const toSquad = squadCase && squad !== null && squad.members.length > 0;
  const departmentId = deps.departmentOf(category);
  const spotIndex =
    d.spot !== undefined && place.spots[d.spot]
      ? d.spot
      : random.chance(0.3)
        ? random.int(0, place.spots.length - 1)
        : -1;
  const spot =
    spotIndex >= 0
      ? { ...place.spots[spotIndex]!, spot: true }
      : {
          address: `${place.community.townName}${place.community.name}${random.pick(place.roads)}${random.int(1, 180)}号`,
          at: null,
          spot: false,
        };
  const reporterId =
    d.source === 'patrol'
      ? squad?.members.length
        ? random.pick(squad.members)
        : null
      : place.residents.length
        ? random.pick(place.residents)
        : random.pick(deps.anyResidents);
  const life: Life = {
    steps: [],
    cards: [],
    spot,
    handler: { kind: null, squadId: null, departmentId: null, personId: null },
    routedKind: toSquad ? 'squad' : squadCase ? null : 'department',
    reporterId,
    handledBy: null,
    waitStart: d.at,
    dueAt: null,
    redAt: null,
    overdueLevel: 0,
    reopened: false,
    rating: null,
    ratingComment: null,
    closedAt: null,
    notRegisteredReason: null,
    sendBackReason: null,
    supervisionNote: null,
  };
  if (toSquad) Object.assign(life.handler, { kind: 'squad', squadId: squad!.id });
  else if (!squadCase) Object.assign(life.handler, { kind: 'department', departmentId });

  const staff = place.staff.length ? place.staff : deps.admins;
  const handlers = toSquad ? squad!.members : (deps.deptStaff.get(departmentId) ?? deps.admins);
  const lateness = (step: string) => {
    if (step === 'handle') return toSquad ? 0.05 : 0.13;
    return toSquad ? 0.02 : 0.045;
  };
  let status: CaseStatus = 'reported';
  let now = d.at;
  const slaHours = (state: CaseStatus) => {
    const slaStep = SLA_OF_STATE[state];
    const s = slaStep ? category.sla?.[slaStep] : undefined;
    return { hours: s?.hours ?? 8, clock: category.urgent ? true : !!s?.clock };
  };
  const startWait = (state: CaseStatus, at: number) => {
    const slaStep = SLA_OF_STATE[state];
    life.waitStart = at;
    life.overdueLevel = 0;
    if (!slaStep) {
      life.dueAt = null;
      life.redAt = null;
      return;
    }
    const { dueAt, redAt } = stepDeadline(calendar, new Date(at), slaHours(state));
    life.dueAt = dueAt.getTime();
    life.redAt = redAt.getTime();
  };
  const lateUnit = (): Pick<Card, 'unitKind' | 'unitId'> => {
    const dispatched = !['reported', 'registered'].includes(status);
    if (dispatched && life.handler.kind === 'squad' && life.handler.squadId)
      return { unitKind: 'squad', unitId: life.handler.squadId };
    if (dispatched && life.handler.kind === 'department' && life.handler.departmentId)
      return { unitKind: 'department', unitId: life.handler.departmentId };
    return { unitKind: 'org_unit', unitId: place.community.id };
  };
  /** When the next step of the current wait happens: on time mostly, late now and then. */
  const whenNext = (step: string, share = random.between(0.08, 0.85)): number => {
    const sla = slaHours(status);
    const late = random.chance(lateness(step));
    const base = late ? life.dueAt! : now;
    const span = late ? sla.hours * random.between(0.1, 1.8) : sla.hours * share;
    const at = sla.clock
      ? calendar.addClockHours(new Date(base), span)
      : calendar.addWorkingHours(new Date(base), span);
    return at.getTime();
  };
  /** The cards the SLA job gives while the case waits until `until` (exclusive) or the anchor. */
  const cardsUntil = (until: number) => {
    if (life.dueAt === null || life.redAt === null) return;
    const edge = Math.min(until, anchor);
    const unit = lateUnit();
    if (life.overdueLevel < 1 && life.dueAt + 60_000 < edge) {
      const at = life.dueAt + random.int(5, 60) * 1000;
      life.cards.push({ level: 'yellow', status, ...unit, dueAt: life.dueAt, at });
      push(
        'sla_yellow',
        status,
        at,
        null,
        `“${STATUS_TITLES[status]}”环节超时（黄牌），期限 ${new Date(life.dueAt).toISOString()}`,
        false,
      );
      life.overdueLevel = 1;
    }
    if (life.overdueLevel < 2 && life.redAt + 60_000 < edge) {
      const at = life.redAt + random.int(5, 60) * 1000;
      life.cards.push({ level: 'red', status, ...unit, dueAt: life.dueAt, at });
      push(
        'sla_red',
        status,
        at,
        null,
        `“${STATUS_TITLES[status]}”环节超时（红牌），期限 ${new Date(life.dueAt).toISOString()}`,
        false,
      );
      life.overdueLevel = 2;
      // A red card often brings the town or district to supervise (督办).
      const superviseAt = at + random.between(0.5, 3) * HOUR_MS;
      if (random.chance(0.4) && superviseAt < edge && deps.admins.length) {
        life.supervisionNote = '该案件已超期，请尽快处置并反馈';
        push('supervise', status, superviseAt, random.pick(deps.admins), life.supervisionNote, false);
      }
    }
  };
  function push(
    step: string,
    to: CaseStatus,
    at: number,
    actorId: string | null,
    note: string | null,
    pub?: boolean,
  ) {
    life.steps.push({
      step,
      from: step === 'report' ? null : status,
      to,
      at: Math.round(at),
      actorId,
      note,
      public: pub ?? PUBLIC_STEPS.has(step as never),
    });
  }
  /** Takes `step` to `to` at `at` unless the anchor comes first; false when the story stops here. */
  const take = (
    step: string,
    to: CaseStatus,
    when: number,
    actorId: string | null,
    note: string | null = null,
  ) => {
    const at = Math.round(when);
    cardsUntil(at);
    if (at >= anchor) return false;
    push(step, to, at, actorId, note);
    status = to;
    now = at;
    if (step !== 'start' && step !== 'rate') startWait(to, at);
    return true;
  };

  push('report', 'reported', d.at, reporterId, null);
  startWait('reported', d.at);
  if (d.source === 'resident' && random.chance(0.03)) {
    const reason = random.pick(NOT_REGISTERED_REASONS);
    if (take('not_register', 'not_registered', whenNext('register'), random.pick(staff), reason))
      life.notRegisteredReason = reason;
    return finish();
  }
  if (!take('register', 'registered', whenNext('register'), random.pick(staff))) return finish();
  const dispatchTo = () => {
    if (!squadCase || toSquad) return;
    // No squad yet (or none here): the district's enforcement bureau takes it.
    Object.assign(life.handler, { kind: 'department', departmentId, squadId: null });
  };
  dispatchTo();
  if (!take('dispatch', 'dispatched', whenNext('dispatch', random.between(0.05, 0.6)), random.pick(staff)))
    return finish();
  if (life.handler.kind === 'department' && random.chance(0.03)) {
    const reason = random.pick(SEND_BACK_REASONS);
    const savedHandler = { ...life.handler };
    Object.assign(life.handler, { kind: null, squadId: null, departmentId: null, personId: null });
    if (
      !take(
        'send_back',
        'registered',
        whenNext('send_back', random.between(0.1, 0.7)),
        random.pick(handlers),
        reason,
      )
    )
      return finish();
    life.sendBackReason = reason;
    Object.assign(life.handler, savedHandler);
    if (!take('dispatch', 'dispatched', whenNext('dispatch'), random.pick(staff))) return finish();
    life.sendBackReason = null;
  }
  const acceptor = random.pick(handlers);
  if (!take('accept', 'accepted', whenNext('accept'), acceptor)) return finish();
  life.handler.personId = acceptor;
  if (!take('start', 'handling', now + random.between(0.05, 0.6) * HOUR_MS, acceptor)) return finish();
  let reopenAllowed = true;
  for (let round = 0; round < 4; round++) {
    if (
      !take(
        'handle',
        'handled',
        whenNext('handle', random.between(0.15, 0.9)),
        acceptor,
        random.pick(HANDLE_NOTES),
      )
    )
      return finish();
    life.handledBy = acceptor;
    const verifiers = staff.filter((s) => s !== acceptor);
    const verifier = verifiers.length ? random.pick(verifiers) : random.pick(deps.admins);
    if (round < 2 && random.chance(0.05)) {
      if (!take('verify_fail', 'handling', whenNext('verify'), verifier, random.pick(VERIFY_FAIL_REASONS)))
        return finish();
      continue;
    }
    if (!take('verify_pass', 'closed', whenNext('verify'), verifier)) return finish();
    life.closedAt = now;
    if (d.source === 'patrol' || !reporterId || !random.chance(0.68)) return finish();
    const good = toSquad ? 0.82 : 0.64;
    const rating: CaseRating = random.weighted([
      ['satisfied', good],
      ['basically_satisfied', 0.9 - good + 0.12],
      ['unsatisfied', 0.1],
    ] as const);
    const comment = random.pick(RATE_COMMENTS[rating]) || null;
    const rateAt = now + random.between(0.2, 60) * HOUR_MS;
    if (!take('rate', 'rated', rateAt, reporterId, [RATING_TEXT[rating], comment].filter(Boolean).join('：')))
      return finish();
    life.rating = rating;
    life.ratingComment = comment;
    if (rating !== 'unsatisfied' || !reopenAllowed || rateAt - life.closedAt! > REOPEN_WINDOW_DAYS * DAY_MS)
      return finish();
    // 不满意 within the window: back to the handler once (重办).
    reopenAllowed = false;
    life.reopened = true;
    push('reopen', 'handling', rateAt, reporterId, '评价不满意，案件重办');
    status = 'handling';
    startWait('handling', rateAt);
    Object.assign(life, { rating: null, ratingComment: null, closedAt: null, handledBy: null });
  }
  return finish();

  function finish(): Life {
    // Still waiting at the anchor: the cards its deadline has earned so far (idempotent).
    cardsUntil(anchor);
    if (!SLA_OF_STATE[status]) {
      life.dueAt = null;
      life.redAt = null;
    }
    return life;
  }
}

const RATING_TEXT: Record<CaseRating, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
};
