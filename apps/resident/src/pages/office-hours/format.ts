import type { OfficeHourSession } from '@linli/contracts';
import { useI18n } from 'vue-i18n';

const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  weekday: 'short',
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h23',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Month, day, weekday and 9:00-style time of an instant, in Beijing time (sessions are held there). */
function parts(iso: string) {
  const p: Record<string, string> = {};
  for (const x of fmt.formatToParts(new Date(iso))) p[x.type] = x.value;
  const m = Number(p.month);
  return {
    m,
    d: Number(p.day),
    month: MONTHS[m - 1] ?? '',
    weekday: WEEKDAYS.indexOf(p.weekday ?? ''),
    time: `${Number(p.hour)}:${p.minute}`,
  };
}

/** Session times as residents read them: 11月30日 周一 · 9:00–12:00. */
export function useSessionFormat() {
  const { t } = useI18n();
  function day(s: Pick<OfficeHourSession, 'startsAt'>): string {
    const p = parts(s.startsAt);
    return t('officeHours.day', { ...p, weekday: t(`officeHours.weekdays.${p.weekday}`) });
  }
  function hours(s: Pick<OfficeHourSession, 'startsAt' | 'endsAt'>): string {
    return `${parts(s.startsAt).time}–${parts(s.endsAt).time}`;
  }
  function time(iso: string): string {
    return parts(iso).time;
  }
  return { day, hours, time };
}

/** Still bookable: scheduled and not yet started. */
export function isUpcoming(s: Pick<OfficeHourSession, 'status' | 'startsAt'>, now = Date.now()): boolean {
  return s.status === 'scheduled' && Date.parse(s.startsAt) > now;
}
