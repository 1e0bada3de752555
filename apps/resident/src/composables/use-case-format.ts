import { useI18n } from 'vue-i18n';

const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Year, month, day and 09:05-style time of an instant in Beijing time, wherever the phone is. */
function parts(iso: string) {
  const p: Record<string, string> = {};
  for (const x of fmt.formatToParts(new Date(iso))) p[x.type] = x.value;
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), time: `${p.hour}:${p.minute}` };
}

/** Case times as residents read them: 2026年11月27日 14:05, Beijing time (cases are numbered by the Beijing day). */
export function useCaseFormat() {
  const { t, te } = useI18n();
  const dateTime = (iso: string) => t('time.full', parts(iso));
  const status = (s: string) => (te(`cases.status.${s}`) ? t(`cases.status.${s}`) : s);
  const step = (s: string) => (te(`cases.steps.${s}`) ? t(`cases.steps.${s}`) : s);
  const rating = (r: string) => (te(`cases.ratings.${r}`) ? t(`cases.ratings.${r}`) : r);
  return { dateTime, status, step, rating };
}
