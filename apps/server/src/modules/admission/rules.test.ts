import {
  ADMISSION_REQUEST_STATUSES,
  ADMISSION_REQUEST_STEPS,
  ADMISSION_TASK_STATUSES,
  ADMISSION_TASK_STEPS,
  type AdmissionListItem,
  type AdmissionRequestStatus,
  type AdmissionRequestStep,
  type AdmissionTaskStatus,
  type AdmissionTaskStep,
} from '@linli/contracts';
import { describe, expect, it } from 'vitest';
import { actorWith } from '../identity/fixtures';
import { AppError } from '../../core/errors';
import { shippedVersionItems } from './lists-data';
import { diffItems, duplicateCodes } from './lists-service';
import { buildMatcher } from './matching';
import { requestAbilities, requestPolicy, type RequestResource, taskPolicy } from './permissions';
import { requiredFunding, routeRequest } from './rules';
import {
  nextRequestStatus,
  nextTaskStatus,
  REQUEST_TRANSITIONS,
  requireRequestTransition,
  TASK_TRANSITIONS,
} from './workflow';

/** The legal steps, written out by hand from issue #6 (not copied from the table they check). */
const LEGAL: Record<AdmissionRequestStatus, Partial<Record<AdmissionRequestStep, AdmissionRequestStatus>>> = {
  refused: { appeal: 'in_review' },
  fast_track: { approve: 'approved', approve_with_conditions: 'approved', reject: 'rejected' },
  in_review: { approve: 'approved', approve_with_conditions: 'approved', reject: 'rejected' },
  approved: { withdraw: 'withdrawn' },
  rejected: {},
  withdrawn: {},
};
const TASK_LEGAL: Record<AdmissionTaskStatus, Partial<Record<AdmissionTaskStep, AdmissionTaskStatus>>> = {
  open: { acknowledge: 'acknowledged', withdraw: 'withdrawn' },
  acknowledged: { progress: 'acknowledged', complete: 'completed', withdraw: 'withdrawn' },
  completed: {},
  withdrawn: {},
};

describe('the request transition table', () => {
  it('has a row for every state', () => {
    expect(Object.keys(REQUEST_TRANSITIONS).sort()).toEqual([...ADMISSION_REQUEST_STATUSES].sort());
  });
  const pairs = ADMISSION_REQUEST_STATUSES.flatMap((s) =>
    ADMISSION_REQUEST_STEPS.map((step) => [s, step] as const),
  );
  it.each(pairs)(
    'from %s, %s leads where the issue says (or answers 409 naming the state)',
    (state, step) => {
      const to = LEGAL[state][step] ?? null;
      expect(nextRequestStatus(state, step)).toBe(to);
      if (to) expect(requireRequestTransition(state, step)).toBe(to);
      else {
        const err = (() => {
          try {
            requireRequestTransition(state, step);
          } catch (e) {
            return e as AppError;
          }
        })();
        expect(err).toBeInstanceOf(AppError);
        expect(err!.status).toBe(409);
        expect(err!.extra.state).toBe(state);
      }
    },
  );
});

describe('the task transition table', () => {
  it('has a row for every state', () => {
    expect(Object.keys(TASK_TRANSITIONS).sort()).toEqual([...ADMISSION_TASK_STATUSES].sort());
  });
  const pairs = ADMISSION_TASK_STATUSES.flatMap((s) =>
    ADMISSION_TASK_STEPS.map((step) => [s, step] as const),
  );
  it.each(pairs)('from %s, %s leads where the issue says', (state, step) => {
    expect(nextTaskStatus(state, step)).toBe(TASK_LEGAL[state][step] ?? null);
  });
});

const items: AdmissionListItem[] = shippedVersionItems();
const byCode = new Map(items.map((i) => [i.code, i]));
const matcher = buildMatcher(items);
const route = (
  text: string,
  over: Partial<{ claimed: string; inspects: boolean; rates: boolean; hours: number; funding: number }> = {},
) =>
  routeRequest(
    {
      matches: matcher.match(text, 5),
      claimed: over.claimed ? byCode.get(over.claimed)! : null,
      inspectsCommunities: over.inspects ?? false,
      ratesCommunities: over.rates ?? false,
      estimatedHoursPerMonth: over.hours ?? 10,
      fundingYuanPerMonth: over.funding ?? 0,
    },
    byCode,
  );

describe('routing a request at submission', () => {
  it('refuses a task under a negative item at once, citing the item', () => {
    const r = route('请各社区代收辖区居民有线电视费和物业费');
    expect(r).toMatchObject({
      route: 'refused_negative',
      status: 'refused',
      item: { code: 'FM05', list: 'negative' },
    });
    expect(r.refusalReason).toContain('FM05');
  });

  it('refuses a claimed negative item even when the text is vague', () => {
    expect(route('请社区配合做好有关工作', { claimed: 'FM10' })).toMatchObject({
      route: 'refused_negative',
      item: { code: 'FM10' },
    });
  });

  it('makes a refusal under FM07, or of a request that says it inspects, not appealable', () => {
    expect(route('对各社区民政工作开展季度考核评比和排名')).toMatchObject({
      route: 'refused_inspection',
      item: { code: 'FM07' },
    });
    expect(route('请各社区代收辖区居民有线电视费和物业费', { inspects: true })).toMatchObject({
      route: 'refused_inspection',
      item: { code: 'FM05' },
    });
  });

  it('refuses separate inspection or rating of communities, citing FM07', () => {
    const r = route('请社区协助做好高龄津贴资格核查', { inspects: true, funding: 10_000 });
    expect(r).toMatchObject({ route: 'refused_inspection', status: 'refused', item: { code: 'FM07' } });
    expect(route('请社区协助做好高龄津贴资格核查', { rates: true }).route).toBe('refused_inspection');
  });

  it('fast-tracks an assisting item whose funding meets the terms', () => {
    const r = route('请各社区对辖区80周岁以上高龄老人开展津贴资格核查', { hours: 8, funding: 240 });
    expect(r).toMatchObject({
      route: 'fast_track',
      status: 'fast_track',
      item: { code: 'XZ05', list: 'assist' },
    });
  });

  it('sends an assisting item with too little funding to full review, saying how much is needed', () => {
    const r = route('请各社区对辖区80周岁以上高龄老人开展津贴资格核查', { hours: 8, funding: 239 });
    expect(r).toMatchObject({ route: 'full_review', status: 'in_review', item: { code: 'XZ05' } });
    expect(r.reason).toContain('240');
  });

  it('uses a claimed assisting item when the text supports it, and ignores a claim it does not', () => {
    const supported = route('请社区协助做好城乡居民养老保险待遇领取资格认证', {
      claimed: 'XZ13',
      hours: 1,
      funding: 30,
    });
    expect(supported).toMatchObject({ route: 'fast_track', item: { code: 'XZ13' } });
    const unsupported = route('请各社区组织居民在朋友圈转发文旅节宣传海报并截图上报', {
      claimed: 'XZ05',
      funding: 100_000,
    });
    expect(unsupported).toMatchObject({ route: 'full_review', item: null });
    expect(unsupported.reason).toContain('XZ05');
  });

  it('sends an unlisted task and a self-governance one to full review', () => {
    expect(route('请各社区组织居民在朋友圈转发文旅节宣传海报并截图上报')).toMatchObject({
      route: 'full_review',
      item: null,
    });
    expect(route('群众体育活动 请各社区每季度组织一次全民健身、文化体育活动')).toMatchObject({
      route: 'full_review',
      item: { list: 'self' },
    });
  });

  it('asks for funding only of fee-follows-task items, per hour when the item sets a rate', () => {
    const xz05 = byCode.get('XZ05')!;
    expect(requiredFunding(xz05, 8)).toBe(240);
    expect(requiredFunding({ ...xz05, minFundingYuanPerHour: null }, 8)).toBe(1);
    expect(requiredFunding({ ...xz05, feeFollowsTask: false }, 8)).toBe(0);
  });
});

describe('comparing versions', () => {
  it('finds items added, removed and changed, naming the changed fields', () => {
    const before = items.slice(0, 3);
    const after = [{ ...before[0]!, name: '改名', keywords: ['新'] }, before[1]!, { ...items[5]! }];
    const d = diffItems(before, after);
    expect(d.added.map((i) => i.code)).toEqual([items[5]!.code]);
    expect(d.removed.map((i) => i.code)).toEqual([before[2]!.code]);
    expect(d.changed).toEqual([
      { code: before[0]!.code, fields: ['name', 'keywords'], before: before[0], after: after[0] },
    ]);
  });
  it('names each duplicated code once', () => {
    expect(
      duplicateCodes([{ code: 'A' }, { code: 'B' }, { code: 'A' }, { code: 'A' }, { code: 'B' }]),
    ).toEqual(['A', 'B']);
  });
});

describe('who may do what with a request', () => {
  const D = { id: 'd0000000-0000-7000-8000-000000000000', path: '/d/' };
  const C1 = { id: 'c1000000-0000-7000-8000-000000000000', path: '/d/t/c1/' };
  const C2 = { id: 'c2000000-0000-7000-8000-000000000000', path: '/d/t/c2/' };
  const resource = (over: Partial<RequestResource> = {}): RequestResource => ({
    orgPath: D.path,
    departmentId: 'dept-a',
    status: 'in_review',
    route: 'full_review',
    targetPaths: [C1.path],
    ...over,
  });
  const office = { actor: actorWith([{ role: 'district_office', unit: D }]), departmentId: null };
  const deptA = { actor: actorWith([{ role: 'department_staff', unit: D }]), departmentId: 'dept-a' };
  const deptB = { actor: actorWith([{ role: 'department_staff', unit: D }]), departmentId: 'dept-b' };
  const sec1 = { actor: actorWith([{ role: 'community_secretary', unit: C1 }]), departmentId: null };
  const sec2 = { actor: actorWith([{ role: 'community_secretary', unit: C2 }]), departmentId: null };

  it('shows a request to the office, its own department and target communities only', () => {
    expect(requestPolicy.view(office, resource())).toBe(true);
    expect(requestPolicy.view(deptA, resource())).toBe(true);
    expect(requestPolicy.view(sec1, resource())).toBe(true);
    expect(requestPolicy.view(deptB, resource())).toBe(false);
    expect(requestPolicy.view(sec2, resource())).toBe(false);
  });
  it('lets only the office decide, and target secretaries comment while under review', () => {
    expect(requestAbilities(office, resource())).toEqual(['approve', 'approve_with_conditions', 'reject']);
    expect(requestAbilities(deptA, resource())).toEqual([]);
    expect(requestAbilities(sec1, resource())).toEqual(['comment']);
    expect(requestAbilities(sec1, resource({ status: 'approved' }))).toEqual([]);
  });
  it('lets the department appeal a negative-item refusal but not an inspection refusal', () => {
    expect(requestAbilities(deptA, resource({ status: 'refused', route: 'refused_negative' }))).toEqual([
      'appeal',
    ]);
    expect(requestAbilities(deptA, resource({ status: 'refused', route: 'refused_inspection' }))).toEqual([]);
    expect(requestAbilities(deptB, resource({ status: 'refused', route: 'refused_negative' }))).toEqual([]);
  });
  it('lets the office and the filing department withdraw an approved admission', () => {
    expect(requestAbilities(office, resource({ status: 'approved' }))).toEqual(['withdraw']);
    expect(requestAbilities(deptA, resource({ status: 'approved' }))).toEqual(['withdraw']);
    expect(requestAbilities(sec1, resource({ status: 'approved' }))).toEqual([]);
  });
  it("keeps a community's tasks to its own staff", () => {
    const worker1 = actorWith([{ role: 'community_worker', unit: C1 }]);
    expect(taskPolicy.view(worker1, { orgPath: C1.path, status: 'open' })).toBe(true);
    expect(taskPolicy.view(worker1, { orgPath: C2.path, status: 'open' })).toBe(false);
    expect(taskPolicy.complete(sec2.actor, { orgPath: C1.path, status: 'acknowledged' })).toBe(false);
    expect(taskPolicy.withdraw(worker1)).toBe(false);
  });
});
