import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { cancelJob, enqueueJobs, type JobDefinition } from '../../core/jobs';
import { findDepartment } from '../identity/lookups';
import { notify } from '../messages';
import { officeHourCancelled, officeHourReminder } from './events';
import { officeHourBookings, officeHourSessions } from './office-hours-schema';

/**
 * Reminders of a booked office-hour session (部门坐班), on the job runner: a one-off job per
 * booking, due the day before the session (or two hours before, for a place booked later than
 * that), queued in the booking's transaction and cancelled with it. A session moved to another
 * time moves its reminders; a session cancelled by its department tells everyone who had booked.
 */

export const REMINDER_JOB = 'service-guide.officeHourReminder';
const HOUR_MS = 3_600_000;
/** The reminder is due this long before the session starts … */
const REMIND_BEFORE_MS = 24 * HOUR_MS;
/** … or this long before, for a place booked within the day; none closer than this. */
const LATE_REMIND_BEFORE_MS = 2 * HOUR_MS;

/** When the reminder of a place in a session starting at `startsAt` is due; null: too late for one. */
export function reminderAt(startsAt: Date, now: Date): Date | null {
  const early = new Date(startsAt.getTime() - REMIND_BEFORE_MS);
  if (early > now) return early;
  const late = new Date(startsAt.getTime() - LATE_REMIND_BEFORE_MS);
  return late > now ? late : null;
}

const keyOf = (bookingId: string) => `${REMINDER_JOB}:${bookingId}`;

/** The time as a resident reads it: 12月8日 09:30 (Beijing time). */
function whenText(at: Date): { 'zh-CN': string; en: string } {
  const b = new Date(at.getTime() + 8 * HOUR_MS);
  const hm = `${String(b.getUTCHours()).padStart(2, '0')}:${String(b.getUTCMinutes()).padStart(2, '0')}`;
  return {
    'zh-CN': `${b.getUTCMonth() + 1}月${b.getUTCDate()}日 ${hm}`,
    en: `${b.toISOString().slice(0, 10)} ${hm}`,
  };
}

/**
 * Queues the reminders of bookings in a session starting at `startsAt`, in one statement (none
 * when the session is too close for one).
 */
export async function scheduleReminders(
  tx: Executor,
  bookings: readonly { id: string; districtId: string }[],
  startsAt: Date,
  now: Date,
): Promise<void> {
  const runAt = reminderAt(startsAt, now);
  if (!runAt) return;
  await enqueueJobs(
    tx,
    bookings.map((b) => ({
      name: REMINDER_JOB,
      payload: { bookingId: b.id },
      runAt,
      idempotencyKey: keyOf(b.id),
      districtId: b.districtId,
    })),
  );
}

/** Cancels the waiting reminders of bookings (cancelled, or their session moved), in one statement. */
export async function cancelReminders(tx: Executor, bookingIds: readonly string[]): Promise<void> {
  await cancelJob(tx, bookingIds.map(keyOf));
}

/** The bookings still held in a session: whose reminders move with it, who hears it is cancelled. */
export async function heldBookings(tx: Executor, sessionId: string) {
  return tx
    .select({
      id: officeHourBookings.id,
      districtId: officeHourBookings.districtId,
      accountId: officeHourBookings.accountId,
    })
    .from(officeHourBookings)
    .where(and(eq(officeHourBookings.sessionId, sessionId), eq(officeHourBookings.status, 'booked')));
}

async function eventData(
  tx: Executor,
  session: { id: string; departmentId: string; startsAt: Date; place: string },
) {
  const dept = await findDepartment(tx, session.departmentId);
  // The time per locale: each recipient reads it in their own language's form.
  return {
    sessionId: session.id,
    department: dept?.name ?? '',
    when: whenText(session.startsAt),
    place: session.place,
  };
}

/** Tells the residents who had booked a session that it is cancelled, in the cancelling transaction. */
export async function notifySessionCancelled(
  tx: Executor,
  session: { id: string; departmentId: string; startsAt: Date; place: string },
  accountIds: string[],
  at: Date,
): Promise<void> {
  await notify(tx, accountIds, officeHourCancelled, await eventData(tx, session), { at });
}

/**
 * The reminder's job: still booked, the session still on and not started → the resident's in-app
 * message and, by their preferences, a text and a WeChat message. Anything else: nothing to say.
 */
export const officeHourReminderJob: JobDefinition<{ bookingId: string }> = {
  name: REMINDER_JOB,
  async run(ctx, payload) {
    const [row] = await ctx.db
      .select({ booking: officeHourBookings, session: officeHourSessions })
      .from(officeHourBookings)
      .innerJoin(officeHourSessions, eq(officeHourSessions.id, officeHourBookings.sessionId))
      .where(eq(officeHourBookings.id, payload.bookingId))
      .limit(1);
    const now = ctx.clock.now();
    if (!row) return { reminded: false };
    if (row.booking.status !== 'booked' || row.session.status !== 'scheduled' || row.session.startsAt <= now)
      return { reminded: false };
    await ctx.db.transaction(async (tx) => {
      await notify(tx, [row.booking.accountId], officeHourReminder, await eventData(tx, row.session), {
        at: now,
      });
    });
    return { reminded: true };
  },
};
