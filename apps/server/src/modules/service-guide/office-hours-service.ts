import type {
  OfficeHourBooking,
  OfficeHourCreate,
  OfficeHourMyBooking,
  OfficeHourQuery,
  OfficeHourSession,
  OfficeHourUpdate,
} from '@linli/contracts';
import { maskPhone } from '@linli/contracts';
import { and, arrayContains, asc, desc, eq, gte, inArray, lte, ne, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize, authorizeBy, can, requirePermission } from '../../core/permissions';
import {
  accountDisplayNames,
  accountPhones,
  defaultDistrict,
  departmentOfAccount,
  findDepartment,
  findOrgUnit,
  orgUnitsByIds,
} from '../identity/lookups';
import {
  cancelReminders,
  heldBookings,
  notifySessionCancelled,
  scheduleReminders,
} from './office-hours-reminders';
import { officeHourBookings, officeHourSessions } from './office-hours-schema';
import { itemsByIds } from './queries';

type SessionRow = typeof officeHourSessions.$inferSelect;
type BookingRow = typeof officeHourBookings.$inferSelect;

export interface OfficeHoursDeps {
  db: Db;
  now: () => Date;
}

const ACTIVE = ['booked', 'checked_in'] as const;

/** Active bookings per session, in one query. */
async function bookedCounts(db: Executor, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: officeHourBookings.sessionId, n: sql<number>`count(*)::int` })
    .from(officeHourBookings)
    .where(and(inArray(officeHourBookings.sessionId, ids), inArray(officeHourBookings.status, [...ACTIVE])))
    .groupBy(officeHourBookings.sessionId);
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

/** Sessions as DTOs, with their community, department, items and remaining places (bounded queries). */
async function present(db: Executor, rows: SessionRow[]): Promise<OfficeHourSession[]> {
  const units = await orgUnitsByIds(
    db,
    rows.map((r) => r.orgUnitId),
  );
  const counts = await bookedCounts(
    db,
    rows.map((r) => r.id),
  );
  const items = new Map(
    (await itemsByIds(db, [...new Set(rows.flatMap((r) => r.itemIds))])).map((i) => [i.id, i]),
  );
  const depts = new Map<string, { id: string; code: string; name: string }>();
  for (const id of new Set(rows.map((r) => r.departmentId))) {
    const d = await findDepartment(db, id);
    if (d) depts.set(id, { id: d.id, code: d.code, name: d.name });
  }
  return rows.map((r) => {
    const unit = units.get(r.orgUnitId)!;
    const booked = counts.get(r.id) ?? 0;
    return {
      id: r.id,
      department: depts.get(r.departmentId) ?? { id: r.departmentId, code: '', name: '' },
      orgUnit: { id: unit.id, code: unit.code, name: unit.name, kind: unit.kind },
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      place: r.place,
      items: r.itemIds.flatMap((id) => {
        const i = items.get(id);
        return i ? [{ id: i.id, name: i.name }] : [];
      }),
      capacity: r.capacity,
      booked,
      remaining: Math.max(0, r.capacity - booked),
      status: r.status,
    };
  });
}

function presentBooking(b: BookingRow): OfficeHourBooking {
  return {
    id: b.id,
    sessionId: b.sessionId,
    status: b.status,
    createdAt: b.createdAt.toISOString(),
    checkedInAt: b.checkedInAt?.toISOString() ?? null,
  };
}

/**
 * Who may manage a session: office_hours.manage over its community, and for department staff
 * only their own department's sessions (a district admin has no department and manages all).
 * Sessions are public, so anyone else is told 403.
 */
async function assertManages(db: Executor, ctx: RequestContext, session: SessionRow) {
  const unit = await findOrgUnit(db, session.orgUnitId);
  authorize(
    ctx.actor,
    'office_hours.manage',
    { orgPath: unit?.path ?? null, public: true },
    'office-hour session',
  );
  if (ctx.actor.kind === 'system') return;
  const dept = await departmentOfAccount(db, ctx.actor.accountId!);
  if (dept && dept.id !== session.departmentId)
    throw AppError.forbidden('This session belongs to another department.');
}

/** The distinct item ids, all of them catalogue items of the district (else 400 on `itemIds`). */
async function checkItems(db: Executor, districtId: string, ids: string[]): Promise<string[]> {
  const itemIds = [...new Set(ids)];
  const items = await itemsByIds(db, itemIds);
  const known = new Set(items.filter((i) => i.districtId === districtId).map((i) => i.id));
  const unknown = itemIds.filter((id) => !known.has(id));
  if (unknown.length)
    throw AppError.validation(
      unknown.map((id) => ({ field: 'body/itemIds', message: `unknown item ${id}` })),
    );
  return itemIds;
}

async function loadSession(db: Executor, id: string, lock = false): Promise<SessionRow> {
  const q = db.select().from(officeHourSessions).where(eq(officeHourSessions.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw AppError.notFound('office-hour session');
  return row;
}

/** POST /office-hours: a department publishes a session in an active community. */
export async function createSession(
  deps: OfficeHoursDeps,
  ctx: RequestContext,
  input: OfficeHourCreate,
): Promise<OfficeHourSession> {
  requirePermission(ctx.actor, 'office_hours.manage');
  const unit = await findOrgUnit(deps.db, input.orgUnitId);
  if (!unit) throw AppError.notFound('org unit');
  authorize(ctx.actor, 'office_hours.manage', { orgPath: unit.path }, 'org unit');
  if (unit.kind !== 'community')
    throw AppError.unprocessable('org-unit-kind', 'Office hours are held in a community.');
  if (unit.status !== 'active')
    throw AppError.unprocessable('org-unit-retired', 'This community is retired.');
  const own = ctx.actor.accountId ? await departmentOfAccount(deps.db, ctx.actor.accountId) : null;
  if (own && input.departmentId && input.departmentId !== own.id)
    throw AppError.forbidden('You hold office hours for your own department only.');
  const departmentId = own?.id ?? input.departmentId;
  if (!departmentId) throw AppError.validation([{ field: 'body/departmentId', message: 'is required' }]);
  const dept = await findDepartment(deps.db, departmentId);
  if (!dept || dept.districtId !== unit.districtId || dept.status !== 'active')
    throw AppError.validation([{ field: 'body/departmentId', message: 'no such active department' }]);
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  if (!(endsAt > startsAt))
    throw AppError.validation([{ field: 'body/endsAt', message: 'must be after startsAt' }]);
  if (startsAt < deps.now())
    throw AppError.validation([{ field: 'body/startsAt', message: 'must be in the future' }]);
  const itemIds = await checkItems(deps.db, unit.districtId, input.itemIds);
  const row = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(officeHourSessions)
      .values({
        districtId: unit.districtId,
        departmentId,
        orgUnitId: unit.id,
        startsAt,
        endsAt,
        place: input.place,
        itemIds,
        capacity: input.capacity,
        createdBy: ctx.actor.accountId,
      })
      .returning();
    await writeAudit(tx, ctx, {
      action: 'office_hour.create',
      entityType: 'office_hour_session',
      entityId: row!.id,
      orgUnitId: unit.id,
      districtId: unit.districtId,
      after: { departmentId, startsAt, endsAt, place: input.place, capacity: input.capacity },
    });
    return row!;
  });
  return (await present(deps.db, [row]))[0]!;
}

/**
 * GET /office-hours: public, scheduled sessions (cancelled ones too with `includeCancelled`) that
 * end after `from` (default now), soonest first; by community, department or service item.
 */
export async function listSessions(
  deps: OfficeHoursDeps,
  query: OfficeHourQuery,
): Promise<{ items: OfficeHourSession[] }> {
  const districtId = await defaultDistrict(deps.db);
  const where = [
    eq(officeHourSessions.districtId, districtId),
    gte(officeHourSessions.endsAt, query.from ? new Date(query.from) : deps.now()),
  ];
  if (!query.includeCancelled) where.push(eq(officeHourSessions.status, 'scheduled'));
  if (query.to) where.push(lte(officeHourSessions.startsAt, new Date(query.to)));
  if (query.orgUnitId) where.push(eq(officeHourSessions.orgUnitId, query.orgUnitId));
  if (query.departmentId) where.push(eq(officeHourSessions.departmentId, query.departmentId));
  if (query.itemId) where.push(arrayContains(officeHourSessions.itemIds, [query.itemId]));
  const rows = await deps.db
    .select()
    .from(officeHourSessions)
    .where(and(...where))
    .orderBy(asc(officeHourSessions.startsAt))
    .limit(200);
  return { items: await present(deps.db, rows) };
}

export async function getSession(deps: OfficeHoursDeps, id: string): Promise<OfficeHourSession> {
  return (await present(deps.db, [await loadSession(deps.db, id)]))[0]!;
}

/**
 * PATCH /office-hours/:id: change the time, place, items or capacity of a scheduled session that
 * has not started. The row is locked, so a capacity cut and a booking cannot cross.
 */
export async function updateSession(
  deps: OfficeHoursDeps,
  ctx: RequestContext,
  id: string,
  input: OfficeHourUpdate,
): Promise<OfficeHourSession> {
  const row = await deps.db.transaction(async (tx) => {
    const session = await loadSession(tx, id, true);
    await assertManages(tx, ctx, session);
    if (session.status !== 'scheduled') throw AppError.invalidTransition(session.status, 'edit');
    const now = deps.now();
    if (session.startsAt <= now) throw AppError.conflict('conflict', 'This session has already started.');
    const startsAt = input.startsAt ? new Date(input.startsAt) : session.startsAt;
    const endsAt = input.endsAt ? new Date(input.endsAt) : session.endsAt;
    if (!(endsAt > startsAt))
      throw AppError.validation([{ field: 'body/endsAt', message: 'must be after startsAt' }]);
    if (input.startsAt && startsAt < now)
      throw AppError.validation([{ field: 'body/startsAt', message: 'must be in the future' }]);
    const itemIds = input.itemIds ? await checkItems(tx, session.districtId, input.itemIds) : session.itemIds;
    const capacity = input.capacity ?? session.capacity;
    const booked = (await bookedCounts(tx, [id])).get(id) ?? 0;
    if (capacity < booked)
      throw AppError.validation([
        { field: 'body/capacity', message: `must be at least the ${booked} places already booked` },
      ]);
    const place = input.place ?? session.place;
    const [row] = await tx
      .update(officeHourSessions)
      .set({ startsAt, endsAt, place, itemIds, capacity, updatedAt: now })
      .where(and(eq(officeHourSessions.id, id), eq(officeHourSessions.status, 'scheduled')))
      .returning();
    await writeAudit(tx, ctx, {
      action: 'office_hour.update',
      entityType: 'office_hour_session',
      entityId: id,
      orgUnitId: session.orgUnitId,
      districtId: session.districtId,
      before: {
        startsAt: session.startsAt,
        endsAt: session.endsAt,
        place: session.place,
        itemIds: session.itemIds,
        capacity: session.capacity,
      },
      after: { startsAt, endsAt, place, itemIds, capacity },
    });
    // A session moved to another time moves its reminders (two statements, however many booked).
    if (startsAt.getTime() !== session.startsAt.getTime()) {
      const held = await heldBookings(tx, id);
      await cancelReminders(
        tx,
        held.map((b) => b.id),
      );
      await scheduleReminders(tx, held, startsAt, now);
    }
    return row!;
  });
  return (await present(deps.db, [row]))[0]!;
}

/** POST /office-hours/:id/cancel: the session and its open bookings are cancelled. */
export async function cancelSession(
  deps: OfficeHoursDeps,
  ctx: RequestContext,
  id: string,
): Promise<OfficeHourSession> {
  const row = await deps.db.transaction(async (tx) => {
    const session = await loadSession(tx, id, true);
    await assertManages(tx, ctx, session);
    if (session.status !== 'scheduled') throw AppError.invalidTransition(session.status, 'cancel');
    const now = deps.now();
    const [row] = await tx
      .update(officeHourSessions)
      .set({ status: 'cancelled', updatedAt: now })
      .where(and(eq(officeHourSessions.id, id), eq(officeHourSessions.status, 'scheduled')))
      .returning();
    // Everyone who had a place hears of it; their reminders go.
    const held = await heldBookings(tx, id);
    await cancelReminders(
      tx,
      held.map((b) => b.id),
    );
    await notifySessionCancelled(
      tx,
      session,
      held.map((b) => b.accountId),
      now,
    );
    await tx
      .update(officeHourBookings)
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now })
      .where(and(eq(officeHourBookings.sessionId, id), eq(officeHourBookings.status, 'booked')));
    await writeAudit(tx, ctx, {
      action: 'office_hour.cancel',
      entityType: 'office_hour_session',
      entityId: id,
      orgUnitId: session.orgUnitId,
      districtId: session.districtId,
      before: { status: 'scheduled' },
      after: { status: 'cancelled' },
    });
    return row!;
  });
  return (await present(deps.db, [row]))[0]!;
}

/**
 * POST /office-hours/:id/bookings: the session row is locked (`FOR UPDATE`) before counting, so
 * concurrent bookings of the last place queue up and the later one sees it taken (409).
 */
export async function bookSession(
  deps: OfficeHoursDeps,
  ctx: RequestContext,
  id: string,
): Promise<OfficeHourBooking> {
  if (ctx.actor.kind !== 'resident' || !ctx.actor.accountId) throw AppError.forbidden('Only residents book.');
  const accountId = ctx.actor.accountId;
  const row = await deps.db.transaction(async (tx) => {
    const session = await loadSession(tx, id, true);
    if (session.status !== 'scheduled') throw AppError.invalidTransition(session.status, 'book');
    if (session.startsAt <= deps.now())
      throw AppError.conflict('conflict', 'This session has already started.');
    const [mine] = await tx
      .select({ id: officeHourBookings.id })
      .from(officeHourBookings)
      .where(
        and(
          eq(officeHourBookings.sessionId, id),
          eq(officeHourBookings.accountId, accountId),
          ne(officeHourBookings.status, 'cancelled'),
        ),
      )
      .limit(1);
    if (mine) throw AppError.conflict('conflict', 'You have already booked this session.');
    const booked = (await bookedCounts(tx, [id])).get(id) ?? 0;
    if (booked >= session.capacity) throw AppError.conflict('conflict', 'This session is full.');
    const [row] = await tx
      .insert(officeHourBookings)
      .values({ districtId: session.districtId, sessionId: id, accountId })
      .returning();
    await writeAudit(tx, ctx, {
      action: 'office_hour.book',
      entityType: 'office_hour_booking',
      entityId: row!.id,
      orgUnitId: session.orgUnitId,
      districtId: session.districtId,
      after: { sessionId: id, status: 'booked' },
    });
    await scheduleReminders(tx, [row!], session.startsAt, deps.now());
    return row!;
  });
  return presentBooking(row);
}

async function loadBooking(tx: Executor, sessionId: string, bookingId: string): Promise<BookingRow> {
  const [b] = await tx
    .select()
    .from(officeHourBookings)
    .where(and(eq(officeHourBookings.id, bookingId), eq(officeHourBookings.sessionId, sessionId)))
    .for('update')
    .limit(1);
  if (!b) throw AppError.notFound('booking');
  return b;
}

/** POST /office-hours/:id/bookings/:bookingId/cancel: the resident gives the place back. */
export async function cancelBooking(
  deps: OfficeHoursDeps,
  ctx: RequestContext,
  sessionId: string,
  bookingId: string,
): Promise<OfficeHourBooking> {
  const row = await deps.db.transaction(async (tx) => {
    const b = await loadBooking(tx, sessionId, bookingId);
    // A booking is its resident's: anyone else's does not exist for them.
    const own = b.accountId === ctx.actor.accountId;
    authorizeBy(ctx.actor, { allowed: own, seen: own }, 'booking');
    if (b.status !== 'booked') throw AppError.invalidTransition(b.status, 'cancel');
    const now = deps.now();
    const [row] = await tx
      .update(officeHourBookings)
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now })
      .where(and(eq(officeHourBookings.id, b.id), eq(officeHourBookings.status, 'booked')))
      .returning();
    await writeAudit(tx, ctx, {
      action: 'office_hour.booking_cancel',
      entityType: 'office_hour_booking',
      entityId: b.id,
      districtId: b.districtId,
      before: { status: 'booked' },
      after: { status: 'cancelled' },
    });
    await cancelReminders(tx, [b.id]);
    return row!;
  });
  return presentBooking(row);
}

/** Department staff of the session's department, or community staff (offerings.manage) over its community. */
async function assertMayCheckIn(db: Executor, ctx: RequestContext, session: SessionRow) {
  const unit = await findOrgUnit(db, session.orgUnitId);
  if (can(ctx.actor, 'offerings.manage', unit?.path ?? null)) return;
  await assertManages(db, ctx, session);
}

/** POST /office-hours/:id/bookings/:bookingId/check-in. */
export async function checkIn(
  deps: OfficeHoursDeps,
  ctx: RequestContext,
  sessionId: string,
  bookingId: string,
): Promise<OfficeHourBooking> {
  const row = await deps.db.transaction(async (tx) => {
    const session = await loadSession(tx, sessionId);
    await assertMayCheckIn(tx, ctx, session);
    const b = await loadBooking(tx, sessionId, bookingId);
    if (b.status !== 'booked') throw AppError.invalidTransition(b.status, 'check-in');
    const now = deps.now();
    const [row] = await tx
      .update(officeHourBookings)
      .set({ status: 'checked_in', checkedInAt: now, checkedInBy: ctx.actor.accountId, updatedAt: now })
      .where(and(eq(officeHourBookings.id, b.id), eq(officeHourBookings.status, 'booked')))
      .returning();
    await writeAudit(tx, ctx, {
      action: 'office_hour.check_in',
      entityType: 'office_hour_booking',
      entityId: b.id,
      orgUnitId: session.orgUnitId,
      districtId: b.districtId,
      before: { status: 'booked' },
      after: { status: 'checked_in' },
    });
    return row!;
  });
  return presentBooking(row);
}

/**
 * Phones of accounts, keyed by id (masked by the caller). Belongs in identity/lookups.ts next to
 * accountDisplayNames; read here until that module exports it.
 */
/** GET /office-hours/:id/bookings: who booked, for check-in (names and masked phones). */
export async function listAttendees(deps: OfficeHoursDeps, ctx: RequestContext, sessionId: string) {
  const session = await loadSession(deps.db, sessionId);
  await assertMayCheckIn(deps.db, ctx, session);
  const rows = await deps.db
    .select()
    .from(officeHourBookings)
    .where(eq(officeHourBookings.sessionId, sessionId))
    .orderBy(asc(officeHourBookings.createdAt));
  const names = await accountDisplayNames(
    deps.db,
    rows.map((r) => r.accountId),
  );
  const phones = await accountPhones(
    deps.db,
    rows.map((r) => r.accountId),
  );
  return {
    items: rows.map((r) => ({
      ...presentBooking(r),
      residentName: names.get(r.accountId) ?? '',
      phone: maskPhone(phones.get(r.accountId)),
    })),
  };
}

/** GET /office-hours/mine: the resident's bookings, newest first. */
export async function myBookings(
  deps: OfficeHoursDeps,
  ctx: RequestContext,
): Promise<{ items: OfficeHourMyBooking[] }> {
  const rows = await deps.db
    .select({ b: officeHourBookings, s: officeHourSessions })
    .from(officeHourBookings)
    .innerJoin(officeHourSessions, eq(officeHourSessions.id, officeHourBookings.sessionId))
    .where(eq(officeHourBookings.accountId, ctx.actor.accountId!))
    .orderBy(desc(officeHourBookings.createdAt))
    .limit(200);
  const sessions = await present(deps.db, [...new Map(rows.map((r) => [r.s.id, r.s])).values()]);
  const byId = new Map(sessions.map((s) => [s.id, s]));
  return { items: rows.map((r) => ({ ...presentBooking(r.b), session: byId.get(r.s.id)! })) };
}
