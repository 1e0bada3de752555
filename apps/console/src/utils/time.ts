const TZ = 'Asia/Shanghai';

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function parts(value: string | Date): Record<string, string> | null {
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return null;
  const out: Record<string, string> = {};
  for (const p of dateTime.formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** 2026-11-27 14:05:09, in Beijing time whatever the browser's zone. */
export function formatTime(value: string | Date | null | undefined): string {
  if (!value) return '';
  const p = parts(value);
  if (!p) return '';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** 2026-11-27, in Beijing time. */
export function formatDate(value: string | Date | null | undefined): string {
  return formatTime(value).slice(0, 10);
}

/** The hour of day in Beijing (0–23), for greetings. */
export function beijingHour(now = new Date()): number {
  return Number(parts(now)?.hour ?? 12);
}

/** `2026-11-27 14:05:09` typed as Beijing time → ISO instant. */
export function beijingToIso(local: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(local.trim());
  if (!m) return undefined;
  const time = m[2]!.length === 5 ? `${m[2]}:00` : m[2];
  const d = new Date(`${m[1]}T${time}+08:00`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** ISO instant → `2026-11-27 14:05:09` in Beijing time (for date pickers). */
export function isoToBeijing(iso: string | undefined | null): string | undefined {
  if (!iso) return undefined;
  return formatTime(iso) || undefined;
}
