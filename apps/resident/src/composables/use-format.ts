import { useI18n } from 'vue-i18n';

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Dates as residents read them: 2026年11月27日 14:05, 今天 09:30, 11月25日. Device-local time. */
export function useFormat() {
  const { t } = useI18n();

  function parts(iso: string) {
    const d = new Date(iso);
    return {
      date: d,
      y: d.getFullYear(),
      m: d.getMonth() + 1,
      d: d.getDate(),
      mon: MONTHS[d.getMonth()] ?? '',
      time: `${pad(d.getHours())}:${pad(d.getMinutes())}`,
    };
  }

  /** 2026年11月27日 14:05 */
  function dateTime(iso: string): string {
    return t('time.full', parts(iso));
  }

  /** 2026年11月27日 */
  function date(iso: string): string {
    return t('time.date', parts(iso));
  }

  /** 今天 14:05 · 昨天 14:05 · 11月25日 (this year) · 2025年11月25日 */
  function relative(iso: string, now = new Date()): string {
    const p = parts(iso);
    const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
    const at = p.date.getTime();
    if (at >= startOfToday && at < startOfToday + 86_400_000) return t('time.today', p);
    if (at >= startOfToday - 86_400_000 && at < startOfToday) return t('time.yesterday', p);
    if (p.y === now.getFullYear()) return t('time.monthDay', p);
    return t('time.date', p);
  }

  return { dateTime, date, relative };
}
