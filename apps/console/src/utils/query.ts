import type { LocationQuery, LocationQueryValue } from 'vue-router';

/** One string from a route query value (the first when repeated). */
export function queryString(q: LocationQuery, key: string): string | undefined {
  const v = q[key];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

/** All strings of a repeated query key (`?c=a&c=b`). */
export function queryList(q: LocationQuery, key: string): string[] {
  const v = q[key];
  const list: LocationQueryValue[] = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((s): s is string => typeof s === 'string' && s !== '');
}

/** Drops empty values so URLs stay short and comparable. */
export function compactQuery(
  q: Record<string, string | string[] | undefined | null>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}
