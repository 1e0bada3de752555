import type { CalendarDayUpdate, CalendarQuery } from '@linli/contracts';
import { writeAudit } from '../../core/audit';
import type { Clock } from '../../core/clock';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize } from '../../core/permissions';
import { findOrgUnit, listDistricts, type OrgUnitInfo } from '../identity/lookups';
import { allDays, daysOfYear, deleteDay, findDay, upsertDay } from './queries';
import type { CalendarDayRow } from './schema';
import {
  beijingDate,
  type CalendarOverrides,
  createWorkingCalendar,
  isIsoDate,
  type WorkingCalendar,
  type WorkSchedule,
} from './working-time';

/** What the calendar services need from the app: the database and the clock. */
export interface CalendarDeps {
  db: Db;
  clock: Clock;
}

/**
 * Per-process cache of each district's calendar, kept per database handle (two apps in one
 * process, as the tests run them, never share one). An edit through this module clears its
 * district at once; other server processes pick the edit up when their entry expires. Reads
 * inside a transaction use the transaction's handle and so read the table, not the cache.
 */
const CACHE_TTL_MS = 5 * 60_000;
type CalendarCache = Map<string, { loadedAt: number; overrides: Promise<CalendarOverrides> }>;
const caches = new WeakMap<object, CalendarCache>();

function cacheOf(db: Executor): CalendarCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}

/** Drops the cached calendar of one district (or of all) read through `db`. */
export function invalidateCalendar(db: Executor, districtId?: string): void {
  const cache = caches.get(db);
  if (!cache) return;
  if (districtId) cache.delete(districtId);
  else cache.clear();
}

/**
 * The working calendar of a district (holidays, make-up working days; the default schedule
 * unless one is given), cached per process. Deadlines and SLAs of other modules use this.
 */
export async function loadCalendar(
  db: Executor,
  districtId: string,
  schedule?: WorkSchedule,
): Promise<WorkingCalendar> {
  const cache = cacheOf(db);
  let hit = cache.get(districtId);
  if (!hit || Date.now() - hit.loadedAt >= CACHE_TTL_MS) {
    const overrides = allDays(db, districtId).then(
      (rows): CalendarOverrides => new Map(rows.map((r) => [r.date, r.kind])),
    );
    hit = { loadedAt: Date.now(), overrides };
    cache.set(districtId, hit);
    const entry = hit;
    // A failed load must not stay cached.
    overrides.catch(() => {
      if (cache.get(districtId) === entry) cache.delete(districtId);
    });
  }
  return createWorkingCalendar(await hit.overrides, schedule);
}

/** Throws 400 naming `params/date` unless `date` is a real `YYYY-MM-DD` date between 2000 and 2100. */
export function checkDate(date: string): string {
  const year = Number(date.slice(0, 4));
  if (!isIsoDate(date) || year < 2000 || year > 2100) {
    throw AppError.validation(
      [
        {
          field: 'params/date',
          message: 'must be a real date YYYY-MM-DD between 2000 and 2100',
          code: 'format',
        },
      ],
      'Invalid fields: params/date.',
    );
  }
  return date;
}

/** The district a public read is about: the asked one, the caller's, else the first district. */
async function districtFor(deps: CalendarDeps, ctx: RequestContext, asked?: string): Promise<OrgUnitInfo> {
  const id = asked ?? ctx.actor.districtId;
  if (id) {
    const unit = await findOrgUnit(deps.db, id);
    if (unit?.kind !== 'district') throw AppError.notFound('district');
    return unit;
  }
  const [first] = await listDistricts(deps.db);
  if (!first) throw AppError.notFound('district');
  return first;
}

/** The caller's district root, after checking `calendar.manage` over it. */
async function managedDistrict(deps: CalendarDeps, ctx: RequestContext): Promise<OrgUnitInfo> {
  if (ctx.actor.kind === 'anonymous') throw AppError.unauthenticated();
  const districtId = ctx.actor.districtId;
  const unit = districtId ? await findOrgUnit(deps.db, districtId) : null;
  if (!unit) throw AppError.forbidden('Your account belongs to no district.');
  authorize(ctx.actor, 'calendar.manage', { orgPath: unit.path }, 'district');
  return unit;
}

/** One year of a district's holidays and make-up working days. Public. */
export async function getCalendarYear(
  deps: CalendarDeps,
  ctx: RequestContext,
  query: CalendarQuery,
): Promise<{ year: number; days: CalendarDayRow[] }> {
  const year = query.year ?? Number(beijingDate(deps.clock.now()).slice(0, 4));
  const district = await districtFor(deps, ctx, query.districtId);
  return { year, days: await daysOfYear(deps.db, district.districtId, year) };
}

/** Sets one day of the caller's district (a confirmed entry: `provisional` false), with its audit record. */
export async function setCalendarDay(
  deps: CalendarDeps,
  ctx: RequestContext,
  date: string,
  input: CalendarDayUpdate,
): Promise<CalendarDayRow> {
  checkDate(date);
  const district = await managedDistrict(deps, ctx);
  const name = input.name.trim();
  if (!name) {
    throw AppError.validation(
      [{ field: 'body/name', message: 'must NOT be blank', code: 'minLength' }],
      'Invalid fields: body/name.',
    );
  }
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const before = await findDay(tx, district.districtId, date);
    const saved = await upsertDay(tx, {
      districtId: district.districtId,
      date,
      kind: input.kind,
      name,
      provisional: false,
      updatedBy: ctx.actor.accountId,
      createdAt: now,
      updatedAt: now,
    });
    await writeAudit(tx, ctx, {
      action: 'calendar.day.set',
      entityType: 'calendar_day',
      entityId: date,
      orgUnitId: district.id,
      districtId: district.districtId,
      before: before ? { kind: before.kind, name: before.name, provisional: before.provisional } : null,
      after: { kind: saved.kind, name: saved.name, provisional: saved.provisional },
    });
    return saved;
  });
  invalidateCalendar(deps.db, district.districtId);
  return row;
}

/** Removes one day's override (it becomes an ordinary weekday or weekend day again). 404 when there is none. */
export async function deleteCalendarDay(
  deps: CalendarDeps,
  ctx: RequestContext,
  date: string,
): Promise<void> {
  checkDate(date);
  const district = await managedDistrict(deps, ctx);
  await deps.db.transaction(async (tx) => {
    const removed = await deleteDay(tx, district.districtId, date);
    if (!removed) throw AppError.notFound('calendar day');
    await writeAudit(tx, ctx, {
      action: 'calendar.day.delete',
      entityType: 'calendar_day',
      entityId: date,
      orgUnitId: district.id,
      districtId: district.districtId,
      before: { kind: removed.kind, name: removed.name, provisional: removed.provisional },
      after: null,
    });
  });
  invalidateCalendar(deps.db, district.districtId);
}
