import type { ServiceGuide, ServiceItemDetail, ServiceItemSummary } from '@linli/contracts';
import type { OrgUnitInfo } from '../identity/lookups';
import type { ServiceItemRow } from './queries';
import type { serviceOfferings } from './schema';
import type { Highlight } from './search/search-index';

export function presentSummary(item: ServiceItemRow, highlights: Highlight[]): ServiceItemSummary {
  return {
    id: item.id,
    code: item.code,
    name: item.name,
    mode: item.mode,
    department: item.department,
    itemType: item.itemType,
    caseType: item.caseType,
    promisedTimeLimitWorkingDays: item.promisedDays,
    onsiteVisits: item.onsiteVisits,
    lifeEvents: item.lifeEvents,
    highlights,
  };
}

export function presentDetail(
  item: ServiceItemRow,
  guide: ServiceGuide,
  offering: { row: typeof serviceOfferings.$inferSelect; unit: OrgUnitInfo } | null,
): ServiceItemDetail {
  return {
    id: item.id,
    code: item.code,
    mode: item.mode,
    version: item.publishedVersion ?? 0,
    publishedAt: item.publishedAt ? item.publishedAt.toISOString() : null,
    guide,
    offering: offering
      ? {
          orgUnit: {
            id: offering.unit.id,
            code: offering.unit.code,
            name: offering.unit.name,
            kind: offering.unit.kind,
          },
          location: offering.row.location,
          hours: offering.row.hours,
          phone: offering.row.phone,
        }
      : null,
  };
}
