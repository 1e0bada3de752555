import type { ServiceGuide } from '@linli/contracts';
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { serviceItems, serviceItemVersions, serviceOfferings, serviceSynonyms } from './schema';

export type ServiceItemRow = typeof serviceItems.$inferSelect;

/** Every published item of a district with the search fields of its published guide: one query. */
export async function publishedItemsWithGuides(db: Executor, districtId: string) {
  return db
    .select({ item: serviceItems, guide: serviceItemVersions.guide })
    .from(serviceItems)
    .innerJoin(
      serviceItemVersions,
      and(
        eq(serviceItemVersions.itemId, serviceItems.id),
        eq(serviceItemVersions.version, serviceItems.publishedVersion),
      ),
    )
    .where(and(eq(serviceItems.districtId, districtId), eq(serviceItems.status, 'published')));
}

export async function synonymGroups(db: Executor, districtId: string): Promise<{ terms: string[] }[]> {
  return db
    .select({ terms: serviceSynonyms.terms })
    .from(serviceSynonyms)
    .where(eq(serviceSynonyms.districtId, districtId));
}

export async function findItemWithGuide(
  db: Executor,
  id: string,
): Promise<{ item: ServiceItemRow; guide: ServiceGuide } | null> {
  const [row] = await db
    .select({ item: serviceItems, guide: serviceItemVersions.guide })
    .from(serviceItems)
    .innerJoin(
      serviceItemVersions,
      and(
        eq(serviceItemVersions.itemId, serviceItems.id),
        eq(serviceItemVersions.version, serviceItems.publishedVersion),
      ),
    )
    .where(and(eq(serviceItems.id, id), eq(serviceItems.status, 'published')))
    .limit(1);
  return row ?? null;
}

export async function findOffering(db: Executor, orgUnitId: string, itemId: string) {
  const [row] = await db
    .select()
    .from(serviceOfferings)
    .where(
      and(
        eq(serviceOfferings.orgUnitId, orgUnitId),
        eq(serviceOfferings.itemId, itemId),
        eq(serviceOfferings.active, true),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** Ids of the items a unit's service room offers (active offerings). */
export async function offeredItemIds(db: Executor, orgUnitId: string): Promise<Set<string>> {
  const rows = await db
    .select({ itemId: serviceOfferings.itemId })
    .from(serviceOfferings)
    .where(and(eq(serviceOfferings.orgUnitId, orgUnitId), eq(serviceOfferings.active, true)));
  return new Set(rows.map((r) => r.itemId));
}

export async function itemsByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db.select().from(serviceItems).where(inArray(serviceItems.id, ids));
}
