import type { OrgUnitRef } from '@linli/contracts';

export const PAGE_SIZE = 20;

/** Notices are published for a district, town or community, never a grid. */
export const canCarryNotices = (unit: Pick<OrgUnitRef, 'kind'> | null | undefined) =>
  !!unit && unit.kind !== 'grid';
