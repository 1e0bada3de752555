import { writeAudit } from '../../core/audit';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { listDistricts } from '../identity/lookups';
import data from './data/cn-calendar.json' with { type: 'json' };
import { insertDaysIfAbsent, yearsWithDays } from './queries';
import { invalidateCalendar } from './service';

interface SeedDay {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
  provisional?: boolean;
}

/** The shipped calendar (State Council notices; 2027 provisional). */
export const SHIPPED_DAYS = data.days as SeedDay[];

/**
 * Loads the shipped calendar for every district, one year at a time: a year is loaded only when
 * the district has no row in it yet, so staff edits are never overwritten and a newer data file
 * adds its new years on the next start. Returns how many rows it inserted.
 */
export async function seedCalendar(db: Db): Promise<number> {
  let inserted = 0;
  for (const district of await listDistricts(db)) {
    const present = await yearsWithDays(db, district.districtId);
    const rows = SHIPPED_DAYS.filter((d) => !present.has(Number(d.date.slice(0, 4))));
    if (rows.length === 0) continue;
    const years = [...new Set(rows.map((d) => Number(d.date.slice(0, 4))))];
    const n = await db.transaction(async (tx) => {
      const count = await insertDaysIfAbsent(
        tx,
        rows.map((d) => ({
          districtId: district.districtId,
          date: d.date,
          kind: d.kind,
          name: d.name,
          provisional: d.provisional ?? false,
        })),
      );
      await writeAudit(tx, systemContext(district.districtId), {
        action: 'calendar.seed',
        entityType: 'calendar',
        entityId: district.districtId,
        orgUnitId: district.id,
        districtId: district.districtId,
        note: { years, days: count },
      });
      return count;
    });
    invalidateCalendar(db, district.districtId);
    inserted += n;
  }
  return inserted;
}
