import { useI18n } from 'vue-i18n';

/** How the guide names visits, case types, time limits and modes, in the current language. */
export function useGuideFormat() {
  const { t } = useI18n();

  function visits(n: number): string {
    if (n <= 0) return t('guide.visitsZero');
    if (n === 1) return t('guide.visitsOne');
    return t('guide.visitsMany', { n });
  }

  /** The server speaks Chinese (即办件 / 承诺件); other values are shown as they are. */
  function caseType(value: string): string {
    if (value === '即办件') return t('guide.instant');
    if (value === '承诺件') return t('guide.promised');
    return value;
  }

  function timeLimit(value: string, days: number | null): string {
    if (value === '即办件' || days === 0) return t('guide.instantDone');
    if (days !== null) return t('guide.promisedDays', { n: days });
    return caseType(value);
  }

  function mode(m: 'direct' | 'proxy'): string {
    return m === 'direct' ? t('guide.modeDirect') : t('guide.modeProxy');
  }

  return { visits, caseType, timeLimit, mode };
}

/** Splits a string into plain and marked pieces from `[start, end)` ranges (merged, clamped). */
export function highlightPieces(
  value: string,
  ranges: [number, number][],
): { text: string; mark: boolean }[] {
  const sorted = [...ranges]
    .map(([a, b]) => [Math.max(0, a), Math.min(value.length, b)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const pieces: { text: string; mark: boolean }[] = [];
  let at = 0;
  for (const [a, b] of sorted) {
    const start = Math.max(a, at);
    if (b <= start) continue;
    if (start > at) pieces.push({ text: value.slice(at, start), mark: false });
    pieces.push({ text: value.slice(start, b), mark: true });
    at = b;
  }
  if (at < value.length) pieces.push({ text: value.slice(at), mark: false });
  return pieces;
}
