import type { OrgUnit } from '@linli/contracts';

export type OrgKind = OrgUnit['kind'];

/** The level a new sub-unit takes under a parent (district → town → community → grid). */
export const CHILD_KIND: Record<OrgKind, OrgKind | null> = {
  district: 'town',
  town: 'community',
  community: 'grid',
  grid: null,
};

/** The statistics bureau's subtypes per level (shown as-is: they are Chinese names). */
export const SUBTYPES: Record<OrgKind, string[]> = {
  district: ['区', '县', '市'],
  town: ['镇', '街道', '乡'],
  community: ['社区', '村'],
  grid: ['网格'],
};

/** The level a unit's parent must have (for the move picker). */
export const PARENT_KIND: Record<OrgKind, OrgKind | null> = {
  district: null,
  town: 'district',
  community: 'town',
  grid: 'community',
};

export const CODE_PATTERN = /^[0-9A-Za-z-]{1,20}$/;
