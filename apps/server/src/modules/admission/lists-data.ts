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

/**
 * Illustrative funding rate for 费随事转 items (ours, not from a source): a request is fast-tracked
 * only when it pays at least this much per estimated working hour per community. The district
 * office edits it per item in the list editor.
 */
export const DEFAULT_MIN_FUNDING_YUAN_PER_HOUR = 30;

/** How a community assists, read off the item's wording (editable per item afterwards). */
export function assistanceFormOf(name: string): string {
  if (/受理|申领|申请/.test(name)) return '受理申请、初审转办';
  if (/核查|排查|摸排|摸底|采集|登记|调查|普查/.test(name)) return '入户调查、信息采集';
  if (/巡访|探访|走访|关爱|慰问/.test(name)) return '走访关爱';
  if (/监督|管理|矫正|帮教|调处|化解/.test(name)) return '日常管理、协助监督';
  if (/宣传|动员|发布|教育/.test(name)) return '宣传动员';
  return '配合协助';
}

/** The shipped lists as version 1's items, with the fields the editor keeps per item. */
export function shippedVersionItems() {
  return shippedListItems().map((i) => ({
    code: i.code,
    name: i.name,
    list: i.list,
    category: i.category,
    legalBasis: i.legalBasis,
    responsibleDepartment: i.ownerDept,
    feeFollowsTask: i.feeFollowsTask,
    fundingTerms: i.feeFollowsTask
      ? `费随事转：${i.ownerDept ?? '责任部门'}按社区实际承担的工作量拨付工作经费，每工时不低于 ${DEFAULT_MIN_FUNDING_YUAN_PER_HOUR} 元（示意标准）`
      : null,
    minFundingYuanPerHour: i.feeFollowsTask ? DEFAULT_MIN_FUNDING_YUAN_PER_HOUR : null,
    assistanceForm: i.list === 'assist' ? assistanceFormOf(i.name) : null,
    keywords: i.keywords ?? [],
  }));
}
