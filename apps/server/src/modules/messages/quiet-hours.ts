/**
 * Quiet hours (夜间免打扰): no notification text between 22:00 and 08:00 Beijing time
 * (`SMS_QUIET_HOURS`); a text due then waits until the window ends. One-time codes are exempt.
 * Beijing has no daylight saving time, so the window is a fixed UTC+8 offset.
 */

const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The end of the quiet window `at` falls in, or null when `at` is outside it (or there is none). */
export function quietUntil(at: Date, quiet: { start: number; end: number } | null): Date | null {
  if (!quiet) return null;
  const local = at.getTime() + BEIJING_OFFSET_MS;
  const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  const minute = Math.floor((local - dayStart) / 60_000);
  const wraps = quiet.start > quiet.end;
  const inside = wraps
    ? minute >= quiet.start || minute < quiet.end
    : minute >= quiet.start && minute < quiet.end;
  if (!inside) return null;
  // The window ends today at `end`, or tomorrow when we are in its evening part.
  const endDay = wraps && minute >= quiet.start ? dayStart + DAY_MS : dayStart;
  return new Date(endDay + quiet.end * 60_000 - BEIJING_OFFSET_MS);
}

/** The Beijing calendar date of an instant, `YYYY-MM-DD`. */
export function beijingDay(at: Date): string {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}
