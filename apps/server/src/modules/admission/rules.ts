import type { AdmissionListItem, AdmissionRequestStatus, AdmissionRoute } from '@linli/contracts';
import { MATCH_THRESHOLD, type Match, verdict } from './matching';

/** The negative item a department's separate inspection or rating of communities falls under. */
export const INSPECTION_ITEM_CODE = 'FM07';

/** How many of the best matches a claimed item must be among for the claim to count. */
export const CLAIM_TOP_N = 3;

export interface RoutingInput {
  /** Best matches of the request text against the lists in force, best first. */
  matches: Match[];
  /** The item the department claims, as found in the lists in force (null: none or unknown). */
  claimed: AdmissionListItem | null;
  inspectsCommunities: boolean;
  ratesCommunities: boolean;
  estimatedHoursPerMonth: number;
  fundingYuanPerMonth: number;
}

export interface Routing {
  route: AdmissionRoute;
  status: AdmissionRequestStatus;
  /** The item the request falls under (cited when refused), if any. */
  item: { code: string; name: string; list: 'self' | 'assist' | 'negative' } | null;
  /** Why, in words: shown to the department and kept with the request. */
  reason: string;
  refusalReason: string | null;
}

/** The least monthly funding per community an assisting item's terms ask for (0: none needed). */
export function requiredFunding(item: AdmissionListItem, hoursPerMonth: number): number {
  if (!item.feeFollowsTask) return 0;
  if (item.minFundingYuanPerHour === null) return 1;
  return Math.max(1, Math.ceil(item.minFundingYuanPerHour * hoursPerMonth));
}

/**
 * The submission rules of issue #6, in order:
 * 1. the best match (or the claimed item) is a negative-list item → refused at once, citing it
 *    (the department may appeal with a justification, unless it is about inspecting or rating
 *    communities: FM07 itself, or the request says it would);
 * 2. the department would inspect or rate communities itself → refused (citing the negative item
 *    against separate assessments, when the lists in force have it); not appealable;
 * 3. it falls under an assisting item (claimed and among the best matches, else the best match)
 *    and its funding meets that item's terms (费随事转) → fast track to the admission office;
 * 4. anything else → full review with the 15-working-day deadline.
 */
export function routeRequest(input: RoutingInput, items: ReadonlyMap<string, AdmissionListItem>): Routing {
  const v = verdict(input.matches);
  const ref = (i: { code: string; name: string; list: 'self' | 'assist' | 'negative' }) => ({
    code: i.code,
    name: i.name,
    list: i.list,
  });

  const negative =
    input.claimed?.list === 'negative' ? ref(input.claimed) : v.kind === 'negative' ? ref(v.item!) : null;
  const inspects = input.inspectsCommunities || input.ratesCommunities;
  if (negative) {
    // Separate inspection or rating is never appealable, also when it is the negative item itself.
    const inspection = inspects || negative.code === INSPECTION_ITEM_CODE;
    const reason = `属于负面事项 ${negative.code}「${negative.name}」，不得交由社区承担${
      inspection ? '；部门不得单独对社区开展检查、考核评比，不可申诉' : ''
    }。`;
    return {
      route: inspection ? 'refused_inspection' : 'refused_negative',
      status: 'refused',
      item: negative,
      reason,
      refusalReason: reason,
    };
  }

  if (inspects) {
    const cited = items.get(INSPECTION_ITEM_CODE);
    const what = [input.inspectsCommunities && '检查', input.ratesCommunities && '考核评比']
      .filter(Boolean)
      .join('、');
    const reason = cited
      ? `部门不得单独对社区开展${what}：负面事项 ${cited.code}「${cited.name}」。`
      : `部门不得单独对社区开展${what}。`;
    return {
      route: 'refused_inspection',
      status: 'refused',
      item: cited ? ref(cited) : null,
      reason,
      refusalReason: reason,
    };
  }

  const top = input.matches.slice(0, CLAIM_TOP_N).filter((m) => m.score >= MATCH_THRESHOLD);
  const claimSupported = !!input.claimed && top.some((m) => m.code === input.claimed!.code);
  const assisting =
    input.claimed?.list === 'assist' && claimSupported
      ? input.claimed
      : v.kind === 'assist'
        ? (items.get(v.item!.code) ?? null)
        : null;

  if (assisting) {
    const needed = requiredFunding(assisting, input.estimatedHoursPerMonth);
    if (input.fundingYuanPerMonth >= needed) {
      const paid = needed > 0 ? `，经费每社区每月 ${input.fundingYuanPerMonth} 元符合费随事转要求` : '';
      return {
        route: 'fast_track',
        status: 'fast_track',
        item: ref(assisting),
        reason: `属于依法协助政府事项 ${assisting.code}「${assisting.name}」${paid}，进入快速通道。`,
        refusalReason: null,
      };
    }
    return {
      route: 'full_review',
      status: 'in_review',
      item: ref(assisting),
      reason: `属于依法协助政府事项 ${assisting.code}，但经费不符合费随事转要求（每社区每月至少 ${needed} 元，申请 ${input.fundingYuanPerMonth} 元），转入准入审核。`,
      refusalReason: null,
    };
  }

  const claimNote =
    input.claimed && !claimSupported ? `申请所称事项 ${input.claimed.code} 与申请内容不符；` : '';
  if (v.kind === 'self') {
    return {
      route: 'full_review',
      status: 'in_review',
      item: ref(v.item!),
      reason: `${claimNote}内容接近依法自治事项 ${v.item!.code}（社区自治范围，部门不得下派），转入准入审核。`,
      refusalReason: null,
    };
  }
  return {
    route: 'full_review',
    status: 'in_review',
    item: null,
    reason: `${claimNote}未列入三张清单，转入准入审核。`,
    refusalReason: null,
  };
}
