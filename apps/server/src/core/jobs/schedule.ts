import { CronExpressionParser } from 'cron-parser';
import type { JobDefinition } from './types';

/** Where cron expressions are read: Beijing time, whatever the server's own zone. */
export const SCHEDULE_TIME_ZONE = 'Asia/Shanghai';

type Schedule = NonNullable<JobDefinition['schedule']>;

/** Refuses a schedule that cannot run: `every` under a second or fractional, a cron that does not parse. */
export function checkSchedule(name: string, schedule: Schedule): void {
  if ('every' in schedule) {
    if (!Number.isInteger(schedule.every) || schedule.every < 1000)
      throw new Error(`job ${name}: schedule.every must be a whole number of ms, at least 1000`);
    return;
  }
  try {
    CronExpressionParser.parse(schedule.cron, { tz: SCHEDULE_TIME_ZONE, strict: false });
  } catch (err) {
    throw new Error(
      `job ${name}: schedule.cron "${schedule.cron}" does not parse: ${(err as Error).message}`,
    );
  }
  if (schedule.cron.trim().split(/\s+/).length !== 5)
    throw new Error(`job ${name}: schedule.cron must have five fields (minute hour day month weekday)`);
}

/**
 * The latest slot at or before `now`: the run a scheduled job owes. `every` slots are whole
 * multiples of the period since the epoch; cron slots are the expression's times in Beijing.
 * A slot missed while no server ran is still the latest one when a server comes back, so it runs
 * then (once: older missed slots are not replayed).
 */
export function currentSlot(schedule: Schedule, now: Date): Date {
  if ('every' in schedule) return new Date(Math.floor(now.getTime() / schedule.every) * schedule.every);
  // prev() is strictly before its start: start a millisecond later so a slot at `now` counts.
  const expr = CronExpressionParser.parse(schedule.cron, {
    tz: SCHEDULE_TIME_ZONE,
    currentDate: new Date(now.getTime() + 1),
  });
  return expr.prev().toDate();
}

/** The first slot after `now` (the console's "next run" of a scheduled job). */
export function nextSlot(schedule: Schedule, now: Date): Date {
  if ('every' in schedule) return new Date((Math.floor(now.getTime() / schedule.every) + 1) * schedule.every);
  return CronExpressionParser.parse(schedule.cron, { tz: SCHEDULE_TIME_ZONE, currentDate: now })
    .next()
    .toDate();
}
