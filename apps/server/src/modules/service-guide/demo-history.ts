import { and, eq, inArray, sql } from 'drizzle-orm';
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
  rowsOf,
  uuidv7At,
} from '../../core/demo-history';
import type { SeedContext } from '../../core/module';
import { beijingDate, beijingTime, loadCalendar } from '../calendar';
import { communityWeight, type DemoCommunity, demoPeople } from '../identity/demo-history';
import { findOrgUnit } from '../identity/lookups';
import { formatApplicationNumber } from './applications-queries';
import { applicationEvents, applications, applicationVisits } from './applications-schema';
import { officeHourBookings, officeHourSessions } from './office-hours-schema';
import { serviceItems, serviceOfferings } from './schema';

/**
 * A year of the service rooms for the demo district (LINLI_DEMO_HISTORY), once: every urban
 * community offers the catalogue, residents apply for the 125 items (bookings for the 19 direct
 * ones, 代办 for the 106 proxy ones) and their applications go through the workflow — pre-review,
 * sometimes missing materials, acceptance with the promised working days, forwarding to the
 * department, done on time or late, refused now and then, results, ratings, withdrawals — with
 * their events, visits (最多跑一次: a few need a second trip) and audit rows; and district
 * departments hold office hours in communities (past sessions with check-ins and no-shows, and
 * the coming weeks open for booking). Same seed and anchor, same data (core/demo-history.ts).
 */

const MODULE = 'service-guide';

/** Applications per day across the district (before seasonal variation). */
const APPLICATIONS_PER_DAY = 2.6;
/** Office-hour sessions per week across the district, and how far ahead they are published. */
const SESSIONS_PER_WEEK = 2.5;
const SESSIONS_AHEAD_DAYS = 21;

const REFUSALS = ['经审核不符合申领条件', '申请人户籍不在本辖区', '所需证明材料不真实'];
const MISSING = [['户口簿复印件'], ['居民身份证复印件'], ['近期一寸照片'], ['收入证明', '户口簿复印件']];
const RATE_COMMENTS = ['办事很方便，不用跑腿', '工作人员很耐心', '', '', '比预计的快'];

interface Step {
  step: string;
  from: string | null;
  to: string;
  at: number;
  actorId: string | null;
  note: string | null;
}

export async function seedServiceHistory(ctx: SeedContext): Promise<void> {
  if (!historyWanted(ctx) || (await demoHistoryDone(ctx.db, MODULE))) return;
  const began = performance.now();
  const db = ctx.db;
  const anchor = historyAnchor(ctx).getTime();
  const start = anchor - DEMO_HISTORY_DAYS * DAY_MS;
  const seed = DEMO_HISTORY_SEED + 3;
  const random = await demoRandom(seed);
  const people = await demoPeople(db);
  const { districtId } = people;
  const calendar = await loadCalendar(db, districtId);
  const items = await db
    .select({
      id: serviceItems.id,
      code: serviceItems.code,
      name: serviceItems.name,
      mode: serviceItems.mode,
      department: serviceItems.department,
      promisedDays: serviceItems.promisedDays,
    })
    .from(serviceItems)
    .where(and(eq(serviceItems.districtId, districtId), eq(serviceItems.status, 'published')))
    .orderBy(serviceItems.code);
  const rooms = people.communities.filter((c) => c.urban);
  if (items.length === 0 || rooms.length === 0) return;
  const audits: AuditBatchEntry[] = [];

  // Every urban community's service room offers the catalogue (翰林 and 家和 already do).
  const offered = new Set(
    (
      await db
        .select({ unit: serviceOfferings.orgUnitId })
        .from(serviceOfferings)
        .where(
          inArray(
            serviceOfferings.orgUnitId,
            rooms.map((r) => r.id),
          ),
        )
    ).map((r) => r.unit),
  );
  const offeringRows: (typeof serviceOfferings.$inferInsert)[] = [];
  for (const room of rooms) {
    if (offered.has(room.id)) continue;
    const at = new Date(start - 30 * DAY_MS);
    for (const item of items)
      offeringRows.push({
        id: uuidv7At(at, random),
        districtId,
        orgUnitId: room.id,
        itemId: item.id,
        location: `${room.name}党群服务中心一楼便民服务室`,
        hours: '工作日 9:00–12:00，14:00–17:30',
        createdAt: at,
        updatedAt: at,
      });
    audits.push({
      action: 'service_offering.seed',
      entityType: 'service_offering',
      entityId: null,
      orgUnitId: room.id,
      districtId,
      at,
      actorId: null,
      note: { items: items.length, source: 'demo history' },
    });
  }

  const residentsAt = new Map<string, string[]>();
  for (const r of people.residents)
    if (r.orgUnitId) residentsAt.set(r.orgUnitId, [...(residentsAt.get(r.orgUnitId) ?? []), r.id]);
  const staffAt = (c: DemoCommunity) =>
    people.staff
      .filter((s) =>
        s.grants.some(
          (g) =>
            ['community_worker', 'community_secretary'].includes(g.roleCode) &&
            (g.orgUnitId === c.id || s.orgUnitId === c.id),
        ),
      )
      .map((s) => s.id);
  const departmentByName = new Map(people.departments.map((d) => [d.name, d]));
  const deptStaff = (departmentId: string) =>
    people.staff.filter((s) => s.departmentId === departmentId).map((s) => s.id);
  const admins = people.staff
    .filter((s) => s.grants.some((g) => g.roleCode === 'district_admin'))
    .map((s) => s.id);
  // Popular items first: a few take most of the work (养老、医保、低保 …).
  const itemWeights = items.map((item, i) => [item, 1 / (1 + (i % 40)) ** 0.8 + 0.05] as const);
  const roomWeights = rooms.map((r) => [r, communityWeight(r) * (staffAt(r).length ? 1 : 0.5)] as const);

  const appRows: (typeof applications.$inferInsert)[] = [];
  const eventRows: (typeof applicationEvents.$inferInsert)[] = [];
  const visitRows: (typeof applicationVisits.$inferInsert)[] = [];
  const working = (t: number, hours: number) => calendar.addWorkingHours(new Date(t), hours).getTime();
  for (let day = start; day < anchor; day += DAY_MS) {
    if (!calendar.isWorkingDay(beijingDate(new Date(day + HOUR_MS * 9)))) continue;
    const season = 1 + 0.25 * Math.cos((2 * Math.PI * (new Date(day).getUTCMonth() - 1)) / 12);
    for (let n = random.poisson(APPLICATIONS_PER_DAY * season * 1.4); n > 0; n--) {
      const room = random.weighted(roomWeights);
      const item = random.weighted(itemWeights);
      const residents = residentsAt.get(room.id) ?? people.residents.map((r) => r.id);
      const residentId = random.pick(residents);
      const staff = staffAt(room).length ? staffAt(room) : admins;
      const department = item.mode === 'proxy' ? departmentByName.get(item.department) : undefined;
      const submitted = day + random.between(8, 21.5) * HOUR_MS;
      const id = uuidv7At(submitted, random);
      const steps: Step[] = [];
      let status = 'submitted';
      const row: typeof applications.$inferInsert = {
        id,
        districtId,
        number: '',
        orgUnitId: room.id,
        itemId: item.id,
        residentId,
        mode: item.mode,
        status: 'submitted',
        departmentId: department?.id ?? null,
        note: null,
        appointmentAt: null,
        acceptedAt: null,
        forwardedAt: null,
        dueAt: null,
        doneAt: null,
        missingMaterials: [],
        refusalReason: null,
        delivery: null,
        rating: null,
        ratingComment: null,
        visits: 0,
        createdAt: new Date(submitted),
        updatedAt: new Date(submitted),
      };
      const take = (
        step: string,
        to: string,
        at: number,
        actorId: string | null,
        note: string | null = null,
      ) => {
        if (at >= anchor) return false;
        steps.push({ step, from: steps.length ? status : null, to, at: Math.round(at), actorId, note });
        status = to;
        row.status = to as typeof row.status;
        row.updatedAt = new Date(Math.round(at));
        return true;
      };
      const visit = (at: number, by: string) => {
        if (at >= anchor) return;
        row.visits = (row.visits ?? 0) + 1;
        visitRows.push({
          id: uuidv7At(at, random),
          applicationId: id,
          at: new Date(at),
          recordedBy: by,
          createdAt: new Date(at),
        });
      };
      take('submit', 'submitted', submitted, residentId);
      if (item.mode === 'direct') {
        const slot = nextSlot(random, calendar, submitted);
        row.appointmentAt = new Date(slot);
      }
      simulateApplication();
      appRows.push(row);
      for (const s of steps) {
        eventRows.push({
          id: uuidv7At(s.at, random),
          applicationId: id,
          step: s.step,
          fromStatus: s.from,
          toStatus: s.to,
          actorId: s.actorId,
          note: s.note,
          at: new Date(s.at),
        });
        audits.push({
          action: `application.${s.step}`,
          entityType: 'application',
          entityId: id,
          orgUnitId: room.id,
          districtId,
          at: new Date(s.at),
          actorId: s.actorId,
          ...(s.step === 'submit'
            ? {
                after: {
                  status: 'submitted',
                  itemId: item.id,
                  mode: item.mode,
                  departmentId: row.departmentId,
                },
              }
            : { before: { status: s.from }, after: { status: s.to } }),
        });
      }

      function simulateApplication() {
        const worker = random.pick(staff);
        let t = submitted;
        if (random.chance(0.04)) {
          take('withdraw', 'withdrawn', t + random.between(1, 30) * HOUR_MS, residentId, '不需要办理了');
          return;
        }
        if (random.chance(0.14)) {
          const missing = random.pick(MISSING);
          if (
            !take(
              'request_more',
              'needs_more',
              working(t, random.between(0.3, 4)),
              worker,
              `需补正：${missing.join('、')}`,
            )
          )
            return;
          row.missingMaterials = missing;
          t = steps[steps.length - 1]!.at;
          if (
            !take(
              'add_materials',
              'submitted',
              t + random.between(2, 60) * HOUR_MS,
              residentId,
              '补充材料 1 份',
            )
          )
            return;
          row.missingMaterials = [];
          t = steps[steps.length - 1]!.at;
        }
        if (!take('pre_review', 'pre_review', working(t, random.between(0.2, 3)), worker)) return;
        t = steps[steps.length - 1]!.at;
        // Direct items are handled at the appointment; proxy items once the papers are checked.
        const acceptAt = row.appointmentAt
          ? Math.max(row.appointmentAt.getTime(), t + 60_000)
          : working(t, random.between(0.5, 6));
        if (!take('accept', 'accepted', acceptAt, worker)) return;
        visit(acceptAt, worker);
        row.acceptedAt = new Date(acceptAt);
        const due = calendar.addWorkingDays(new Date(acceptAt), item.promisedDays ?? 0).getTime();
        row.dueAt = new Date(due);
        t = acceptAt;
        let handler = worker;
        if (item.mode === 'proxy' && department) {
          if (!take('forward', 'forwarded', working(t, random.between(0.5, 8)), worker)) return;
          row.forwardedAt = new Date(steps[steps.length - 1]!.at);
          t = steps[steps.length - 1]!.at;
          const ds = deptStaff(department.id);
          if (ds.length) handler = random.pick(ds);
        }
        if (random.chance(0.05)) {
          const reason = random.pick(REFUSALS);
          if (take('refuse', 'refused', working(t, random.between(2, 20)), handler, reason)) {
            row.refusalReason = reason;
            row.doneAt = new Date(steps[steps.length - 1]!.at);
          }
          return;
        }
        // Most finish within the promised days; some run late.
        const span = Math.max(0.5, due - t);
        const late = random.chance(item.mode === 'proxy' ? 0.12 : 0.04);
        const doneAt = late
          ? due + random.between(0.5, 5) * DAY_MS
          : item.promisedDays
            ? t + span * random.between(0.2, 0.95)
            : t + random.between(0.1, 0.8) * HOUR_MS;
        if (!take('complete', 'done', doneAt, handler)) return;
        row.doneAt = new Date(steps[steps.length - 1]!.at);
        t = steps[steps.length - 1]!.at;
        const delivery = random.chance(0.85) ? 'pick_up' : 'post';
        if (!take('result_ready', 'result_ready', working(t, random.between(0.2, 6)), worker, delivery))
          return;
        row.delivery = delivery;
        t = steps[steps.length - 1]!.at;
        const pickup = t + random.between(2, 96) * HOUR_MS;
        if (!take('finish', 'completed', pickup, worker)) return;
        // 最多跑一次: a few had to come back once more.
        if (delivery === 'pick_up' && random.chance(0.07)) visit(pickup, worker);
        if (!random.chance(0.55)) return;
        const rating = random.weighted([
          [5, 6],
          [4, 3],
          [3, 0.8],
          [2, 0.3],
          [1, 0.2],
        ] as const);
        const comment = random.pick(RATE_COMMENTS) || null;
        if (
          take(
            'rate',
            'rated',
            pickup + random.between(0.5, 48) * HOUR_MS,
            residentId,
            [`${rating} 星`, comment].filter(Boolean).join('：'),
          )
        ) {
          row.rating = rating;
          row.ratingComment = comment;
        }
      }
    }
  }

  // Receipt numbers: a block of `application_number_seq` taken at once (later submissions follow
  // on), given out in submission order and dated by the Beijing submission day.
  const [reserved] = rowsOf<{ last: string | number }>(
    await db.execute(
      sql`SELECT setval('application_number_seq', nextval('application_number_seq') + ${Math.max(appRows.length, 1) - 1}) AS last`,
    ),
  );
  let running = Number(reserved!.last) - Math.max(appRows.length, 1);
  const districtCode = (await findOrgUnit(db, districtId))?.code ?? 'X';
  for (const row of [...appRows].sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime()))
    row.number = formatApplicationNumber(districtCode, beijingDate(row.createdAt!), ++running);

  // Office hours: departments come to communities' service rooms; residents book and check in.
  const sessionRows: (typeof officeHourSessions.$inferInsert)[] = [];
  const bookingRows: (typeof officeHourBookings.$inferInsert)[] = [];
  const visiting = people.departments.filter((d) => items.some((i) => i.department === d.name));
  for (let week = start; week < anchor + SESSIONS_AHEAD_DAYS * DAY_MS; week += 7 * DAY_MS) {
    for (let n = random.poisson(SESSIONS_PER_WEEK); n > 0; n--) {
      const department = random.pick(visiting);
      const room = random.weighted(roomWeights);
      const dayStart = week + random.int(0, 4) * DAY_MS;
      const day = beijingDate(new Date(dayStart + 9 * HOUR_MS));
      if (!calendar.isWorkingDay(day)) continue;
      const startsAt = beijingTime(day, random.pick(['09:00', '14:30'])).getTime();
      const endsAt = startsAt + 3 * HOUR_MS;
      const created = Math.min(startsAt - random.between(5, 12) * DAY_MS, anchor - HOUR_MS);
      if (created < start) continue;
      const ds = deptStaff(department.id);
      const createdBy = ds.length ? random.pick(ds) : random.pick(admins);
      const capacity = random.pick([10, 12, 15, 20]);
      const id = uuidv7At(created, random);
      const deptItems = items.filter((i) => i.department === department.name && i.mode === 'proxy');
      const itemIds = deptItems.slice(0, 3).map((i) => i.id);
      sessionRows.push({
        id,
        districtId,
        departmentId: department.id,
        orgUnitId: room.id,
        startsAt: new Date(startsAt),
        endsAt: new Date(endsAt),
        place: `${room.name}党群服务中心二楼会议室`,
        itemIds,
        capacity,
        createdBy,
        createdAt: new Date(created),
        updatedAt: new Date(created),
      });
      audits.push({
        action: 'office_hour.create',
        entityType: 'office_hour_session',
        entityId: id,
        orgUnitId: room.id,
        districtId,
        at: new Date(created),
        actorId: createdBy,
        after: {
          departmentId: department.id,
          startsAt: new Date(startsAt),
          endsAt: new Date(endsAt),
          capacity,
        },
      });
      const residents = residentsAt.get(room.id) ?? [];
      const wanted = Math.min(residents.length, Math.round(capacity * random.between(0.3, 0.9)));
      const bookers = new Set<string>();
      while (bookers.size < wanted) bookers.add(random.pick(residents));
      for (const accountId of bookers) {
        const booked = created + random.between(0.05, 0.95) * (Math.min(startsAt, anchor) - created);
        if (booked >= anchor) continue;
        const bid = uuidv7At(booked, random);
        let status: 'booked' | 'cancelled' | 'checked_in' = 'booked';
        let checkedInAt: Date | null = null;
        let cancelledAt: Date | null = null;
        const roll = random.next();
        if (roll < 0.1) {
          const at = booked + random.between(0.1, 0.9) * (Math.min(startsAt, anchor) - booked);
          status = 'cancelled';
          cancelledAt = new Date(at);
        } else if (startsAt + HOUR_MS < anchor && roll < 0.85) {
          status = 'checked_in';
          checkedInAt = new Date(startsAt + random.between(0, 2.5) * HOUR_MS);
        }
        bookingRows.push({
          id: bid,
          districtId,
          sessionId: id,
          accountId,
          status,
          checkedInAt,
          checkedInBy: checkedInAt ? createdBy : null,
          cancelledAt,
          createdAt: new Date(booked),
          updatedAt: checkedInAt ?? cancelledAt ?? new Date(booked),
        });
        const base = { entityType: 'office_hour_booking', entityId: bid, orgUnitId: room.id, districtId };
        audits.push({
          ...base,
          action: 'office_hour.book',
          at: new Date(booked),
          actorId: accountId,
          after: { sessionId: id, status: 'booked' },
        });
        if (cancelledAt)
          audits.push({
            ...base,
            action: 'office_hour.booking_cancel',
            at: cancelledAt,
            actorId: accountId,
            before: { status: 'booked' },
            after: { status: 'cancelled' },
          });
        if (checkedInAt)
          audits.push({
            ...base,
            action: 'office_hour.check_in',
            at: checkedInAt,
            actorId: createdBy,
            before: { status: 'booked' },
            after: { status: 'checked_in' },
          });
      }
    }
  }

  await db.transaction(async (tx) => {
    await withIndexesDeferred(
      tx,
      [serviceOfferings, applications, applicationEvents, officeHourBookings, auditLog],
      async () => {
        await bulkInsert(tx, serviceOfferings, offeringRows);
        await bulkInsert(tx, applications, appRows);
        await bulkInsert(tx, applicationEvents, eventRows);
        await bulkInsert(tx, applicationVisits, visitRows);
        await bulkInsert(tx, officeHourSessions, sessionRows);
        await bulkInsert(tx, officeHourBookings, bookingRows);
        await finishDemoHistory(tx, MODULE, districtId, audits, {
          anchor: new Date(anchor),
          seed,
          counts: {
            applications: appRows.length,
            events: eventRows.length,
            sessions: sessionRows.length,
            bookings: bookingRows.length,
          },
        });
      },
    );
  });
  ctx.log.info(
    `demo history: ${appRows.length} applications, ${sessionRows.length} office-hour sessions (${((performance.now() - began) / 1000).toFixed(1)} s)`,
  );
}

/** A service-room appointment 1–5 working days after `after`, on the half hour in opening hours. */
function nextSlot(
  random: DemoRandom,
  calendar: { addWorkingDays(d: Date, n: number): Date },
  after: number,
): number {
  const day = beijingDate(calendar.addWorkingDays(new Date(after), random.int(1, 5)));
  return beijingTime(
    day,
    random.pick(['09:00', '09:30', '10:00', '10:30', '11:00', '14:00', '14:30', '15:00', '15:30', '16:00']),
  ).getTime();
}
