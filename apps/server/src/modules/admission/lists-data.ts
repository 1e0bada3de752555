import keywordFile from './data/list-keywords.json' with { type: 'json' };
import listFile from './data/three-lists.json' with { type: 'json' };
import type { ListKind, MatchableItem } from './matching';

/** One item of the three lists as shipped in data/three-lists.json (read its `note`). */
export interface ListItemSeed extends MatchableItem {
  legalBasis: string[];
  ownerDept: string | null;
  feeFollowsTask: boolean;
}

const KEYWORDS = keywordFile.keywords as Record<string, string[]>;

function from(kind: ListKind, rows: { code: string; name: string; category: string }[]): ListItemSeed[] {
  return rows.map((r) => {
    const row = r as typeof r & { legalBasis?: string[]; ownerDept?: string; feeFollowsTask?: boolean };
    return {
      code: row.code,
      name: row.name,
      list: kind,
      category: row.category,
      keywords: KEYWORDS[row.code] ?? [],
      legalBasis: row.legalBasis ?? [],
      ownerDept: row.ownerDept ?? null,
      feeFollowsTask: row.feeFollowsTask ?? false,
    };
  });
}

/** The shipped lists: 14 self-governance, 57 assisting and 10 negative items. */
export function shippedListItems(): ListItemSeed[] {
  const { selfGovernance, assistGovernment, negative } = listFile.lists;
  return [
    ...from('self', selfGovernance),
    ...from('assist', assistGovernment),
    ...from('negative', negative),
  ];
}
