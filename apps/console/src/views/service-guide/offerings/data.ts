import type { OfferingAdmin, OrgUnitRef } from '@linli/contracts';

/** Only a community or a grid has a service room (the server answers 422 otherwise). */
export const hasServiceRoom = (unit: Pick<OrgUnitRef, 'kind'> | null | undefined) =>
  !!unit && (unit.kind === 'community' || unit.kind === 'grid');

export interface RoomTerms {
  location: string;
  hours: string;
  phone: string;
}

/** The room's terms as most of its active offerings state them (the API keeps them per item). */
export function commonTerms(offerings: OfferingAdmin[]): RoomTerms {
  const counts = new Map<string, { terms: RoomTerms; n: number }>();
  for (const o of offerings) {
    if (!o.active) continue;
    const terms = { location: o.location, hours: o.hours, phone: o.phone ?? '' };
    const key = JSON.stringify(terms);
    const entry = counts.get(key) ?? { terms, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  let best: { terms: RoomTerms; n: number } | null = null;
  for (const e of counts.values()) if (!best || e.n > best.n) best = e;
  return best?.terms ?? { location: '', hours: '', phone: '' };
}

/** Runs `tasks` a few at a time (the API does one item per call). */
export async function inBatches<T>(tasks: (() => Promise<T>)[], size = 4): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += size)
    out.push(...(await Promise.all(tasks.slice(i, i + size).map((task) => task()))));
  return out;
}
