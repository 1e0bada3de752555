import type { AdmissionRequestCreate } from '@linli/contracts';
import { eq, sql } from 'drizzle-orm';
import { systemClock } from '../../core/clock';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { beijingDate } from '../calendar';
import { defaultDistrict, findDepartmentByName, findOrgUnitByName } from '../identity/lookups';
import type { AdmissionDeps } from './lists-service';
import { admissionRequests } from './schema';
import { applyRequestStep, fileRequest } from './service';
import { applyTaskStep, fileOutsideReport, handleOutsideReport } from './tasks-service';
import { tasksOfRequest } from './queries';

/** First day of the month `n` months after `day`'s month. */
function monthStart(day: string, n = 0): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 10);
}
/** Last day of the month `n` months after `day`'s month. */
function monthEnd(day: string, n = 0): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m + n, 0)).toISOString().slice(0, 10);
}

const base = (over: Partial<AdmissionRequestCreate>): AdmissionRequestCreate => ({
  title: '',
  description: '',
  legalBasis: '',
  targets: { mode: 'all' },
  periodStart: '2026-01-01',
  periodEnd: '2026-12-31',
  recurrence: 'one_off',
  estimatedHoursPerMonth: 0,
  fundingYuanPerMonth: 0,
  forms: [],
  meetingsPerMonth: 0,
  inspectsCommunities: false,
  ratesCommunities: false,
  ...over,
});

/**
 * Demo data (LINLI_DEMO) so the console's queues and dashboards are not empty: requests of
 * 罗江区民政局 and 罗江区人力资源和社会保障局 in every state (refused under a negative item,
 * fast-tracked and approved with tasks in 翰林社区 and 家和社区, under review with a deadline,
 * rejected, approved with conditions), and outside-the-system reports. Once per district.
 */
export async function seedAdmissionDemo(db: Db): Promise<number> {
  const districtId = await defaultDistrict(db);
  const [n] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(admissionRequests)
    .where(eq(admissionRequests.districtId, districtId));
  if (Number(n?.n ?? 0) > 0) return 0;
  const minzheng = await findDepartmentByName(db, districtId, '罗江区民政局');
  const renshe = await findDepartmentByName(db, districtId, '罗江区人力资源和社会保障局');
  const zhifa = await findDepartmentByName(db, districtId, '罗江区综合行政执法局');
  const hanlin = await findOrgUnitByName(db, '翰林社区');
  const jiahe = await findOrgUnitByName(db, '家和社区');
  const wanan = await findOrgUnitByName(db, '万安镇');
  if (!minzheng || !renshe || !hanlin || !jiahe || !wanan) return 0;
  const deps: AdmissionDeps = { db, clock: systemClock };
  const ctx = systemContext(districtId);
  const today = beijingDate(systemClock.now());
  const as = (d: { id: string }) => ({ departmentId: d.id, filedBy: null });

  // 1. Under a negative item: refused at once, citing FM05.
  await fileRequest(
    deps,
    ctx,
    base({
      title: '代收有线电视费和物业费',
      description: '请各社区代收辖区居民2027年度有线电视费和物业费，月底前汇总上交。',
      legalBasis: '区有线电视网络整合工作方案',
      targets: { mode: 'chosen', orgUnitIds: [hanlin.id, jiahe.id] },
      periodStart: monthStart(today),
      periodEnd: monthEnd(today, 1),
      estimatedHoursPerMonth: 20,
    }),
    as(minzheng),
  );

  // 2. An assisting item with funding: fast track, approved, tasks in both communities.
  const fast = await fileRequest(
    deps,
    ctx,
    base({
      title: '2027年度高龄津贴资格核查',
      description:
        '请各社区对辖区80周岁以上高龄老人开展津贴资格年度核查，入户核实健在和居住情况，填写核查登记表。',
      legalBasis: '《四川省老年人权益保障条例》；区民政局高龄津贴发放管理办法',
      claimedItemCode: 'XZ05',
      targets: { mode: 'chosen', orgUnitIds: [hanlin.id, jiahe.id] },
      periodStart: monthStart(today),
      periodEnd: monthEnd(today, 2),
      recurrence: 'recurring',
      estimatedHoursPerMonth: 8,
      fundingYuanPerMonth: 400,
      fundingNote: '按核查人数拨付工作经费',
      trainingSupport: '区民政局开展一次业务培训',
      forms: [{ name: '高龄津贴资格核查登记表', kind: 'form', frequency: 'monthly', fieldCount: 12 }],
      meetingsPerMonth: 1,
    }),
    as(minzheng),
  );
  await applyRequestStep(deps, ctx, fast, { step: 'approve', reasons: '属协助事项，经费到位，准予准入。' });
  const tasks = await tasksOfRequest(db, fast);
  const hanlinTask = tasks.find((t) => t.orgUnitId === hanlin.id);
  const jiaheTask = tasks.find((t) => t.orgUnitId === jiahe.id);
  if (hanlinTask) {
    await applyTaskStep(deps, ctx, hanlinTask.id, { step: 'acknowledge' });
    await applyTaskStep(deps, ctx, hanlinTask.id, {
      step: 'progress',
      percent: 40,
      note: '已核查 38 户，余 57 户',
    });
  }
  if (jiaheTask) {
    await applyTaskStep(deps, ctx, jiaheTask.id, { step: 'acknowledge' });
    await applyTaskStep(deps, ctx, jiaheTask.id, {
      step: 'complete',
      evidence: '核查登记表 95 份已归档（家和社区台账柜 3 号）',
    });
  }

  // 3. Not on the lists: full review with its 15-working-day deadline.
  await fileRequest(
    deps,
    ctx,
    base({
      title: '文旅节宣传转发',
      description: '请各社区组织居民在朋友圈转发文旅节宣传海报并截图上报。',
      legalBasis: '区文旅节活动方案',
      targets: { mode: 'town', orgUnitIds: [wanan.id] },
      periodStart: monthStart(today, 1),
      periodEnd: monthEnd(today, 1),
      estimatedHoursPerMonth: 4,
      forms: [{ name: '转发截图汇总表', kind: 'report', frequency: 'weekly', fieldCount: 5 }],
    }),
    as(renshe),
  );

  // 4. Near a self-governance item, reviewed and rejected with a reason.
  const rejected = await fileRequest(
    deps,
    ctx,
    base({
      title: '区马拉松志愿服务保障',
      description: '请各社区组织辖区志愿者参加全区马拉松赛事服务保障，每社区不少于20人。',
      legalBasis: '区马拉松赛事组委会通知',
      targets: { mode: 'chosen', orgUnitIds: [hanlin.id, jiahe.id] },
      periodStart: monthStart(today, 1),
      periodEnd: monthEnd(today, 1),
      estimatedHoursPerMonth: 16,
    }),
    as(renshe),
  );
  await applyRequestStep(deps, ctx, rejected, {
    step: 'reject',
    reasons: '志愿服务属社区自治范围，由社区自愿组织；赛事保障应由组委会招募志愿者。',
  });

  // 5. An assisting item without funding: full review, approved with conditions.
  const conditional = await fileRequest(
    deps,
    ctx,
    base({
      title: '养老保险待遇领取资格认证宣传',
      description: '请社区协助做好城乡居民养老保险待遇领取资格认证，提醒未认证老人通过手机完成认证。',
      legalBasis: '《社会保险法》；人社部关于领取社会保险待遇资格确认的通知',
      targets: { mode: 'chosen', orgUnitIds: [hanlin.id] },
      periodStart: monthStart(today),
      periodEnd: monthEnd(today, 1),
      recurrence: 'recurring',
      estimatedHoursPerMonth: 3,
    }),
    as(renshe),
  );
  await applyRequestStep(deps, ctx, conditional, {
    step: 'approve_with_conditions',
    conditions: '人社局于本月内拨付宣传经费；不得要求社区填报认证进度日报。',
  });

  // 6. Outside-the-system reports: one handled, two open in the oversight queue.
  const r1 = await fileOutsideReport(deps, ctx, {
    orgUnitId: hanlin.id,
    departmentId: zhifa?.id ?? null,
    departmentName: zhifa ? null : '罗江区综合行政执法局',
    kind: 'form',
    what: '工作群里要求社区每日填报门前三包巡查表',
    happenedOn: today,
    channel: '微信工作群',
    estimatedHours: 6,
  });
  await handleOutsideReport(deps, ctx, r1.row.id, '已约谈执法局，停止下发日报，改由执法中队自行巡查。');
  await fileOutsideReport(deps, ctx, {
    orgUnitId: hanlin.id,
    departmentName: '区创文办',
    kind: 'meeting',
    what: '要求社区书记每周参加创文推进会',
    happenedOn: today,
    channel: '电话通知',
    estimatedHours: 8,
  });
  await fileOutsideReport(deps, ctx, {
    orgUnitId: jiahe.id,
    departmentId: minzheng.id,
    kind: 'inspection',
    what: '民政局到社区检查养老服务台账并打分',
    happenedOn: today,
    channel: '现场',
    estimatedHours: 3,
  });
  return 5;
}
