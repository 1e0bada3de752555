import type { AdmissionForm, AdmissionListItem } from '@linli/contracts';
import type { AuditBatchEntry } from '../../core/audit';
import { bulkInsert } from '../../core/db/bulk';
import {
  DAY_MS,
  DEMO_HISTORY_DAYS,
  DEMO_HISTORY_SEED,
  demoHistoryDone,
  demoRandom,
  finishDemoHistory,
  HOUR_MS,
  historyAnchor,
  historyWanted,
  uuidv7At,
} from '../../core/demo-history';
import type { SeedContext } from '../../core/module';
import { beijingDate, beijingTime, loadCalendar } from '../calendar';
import { type DemoCommunity, demoPeople } from '../identity/demo-history';
import { listsInForce } from './lists-service';
import { routeRequest } from './rules';
import {
  admissionOutsideReports,
  admissionRequestComments,
  admissionRequestEvents,
  admissionRequests,
  admissionRequestTargets,
  admissionTaskEvents,
  admissionTasks,
} from './schema';
import { FAST_TRACK_WORKING_DAYS, REVIEW_WORKING_DAYS } from './workflow';

/**
 * A year of 事项准入 for the demo district (LINLI_DEMO_HISTORY), once. It tells the article's
 * story of 强基行动: at the start of the year departments still push work down freely — many
 * requests, inspections and items on the negative list (refused), and many tasks handed to
 * communities outside the system (体制外派活, reported to the oversight queue) — and as the lists
 * take hold they ask less, ask properly (assisting items with funding: fast track) and the
 * burden index (tasks, forms, meetings, inspections, hours per community and month) falls.
 * Requests are matched and routed by the module's own matcher and rules, reviewed by the
 * admission office within or past their deadlines, commented on by secretaries; approved ones
 * become community tasks that are acknowledged, reported on and completed.
 */

const MODULE = 'admission';

/**
 * Requests filed per month, first first: from three months before the year (their tasks are the
 * burden the year starts with) to its last month.
 */
const REQUESTS_BY_MONTH = [13, 13, 13, 13, 12, 11, 10, 9, 8, 7, 6, 6, 5, 5, 4];
const LEAD_MONTHS = 3;
/** Outside-the-system reports per month across the district, first month first. */
const OUTSIDE_BY_MONTH = [34, 30, 26, 21, 17, 13, 10, 8, 7, 6, 5, 4];

const OUTSIDE_WHAT: [string, 'task' | 'form' | 'meeting' | 'inspection' | 'other', string][] = [
  ['工作群里要求社区每日填报巡查表', 'form', '微信工作群'],
  ['要求社区书记参加创文推进会', 'meeting', '电话通知'],
  ['到社区检查台账并打分排名', 'inspection', '现场'],
  ['要求社区代收各类费用', 'task', '口头通知'],
  ['要求社区在朋友圈转发宣传并截图上报', 'task', '微信工作群'],
  ['要求社区补报上季度统计报表', 'form', '电子邮件'],
  ['临时要求社区组织人员参加活动', 'other', '电话通知'],
];
const NOT_LISTED = [
  ['文旅活动宣传转发', '请各社区组织居民在朋友圈转发活动宣传海报并截图上报。', '区文旅活动方案'],
  ['商户经营情况摸排', '请社区对辖区商户经营情况逐户摸排并填报统计表。', '区商务工作安排'],
  ['志愿者招募保障', '请各社区组织辖区志愿者参加赛事服务保障，每社区不少于 20 人。', '赛事组委会通知'],
];

export async function seedAdmissionHistory(ctx: SeedContext): Promise<void> {
  if (!historyWanted(ctx) || (await demoHistoryDone(ctx.db, MODULE))) return;
  const began = performance.now();
  const db = ctx.db;
  const anchor = historyAnchor(ctx).getTime();
  const start = anchor - DEMO_HISTORY_DAYS * DAY_MS;
  const seed = DEMO_HISTORY_SEED + 4;
  const random = await demoRandom(seed);
  const people = await demoPeople(db);
  const { districtId, communities } = people;
  const calendar = await loadCalendar(db, districtId);
  const lists = await listsInForce({ db, clock: ctx.clock }, districtId);
  const office = people.staff
    .filter((s) => s.grants.some((g) => g.roleCode === 'district_admin' || g.roleCode === 'district_office'))
    .map((s) => s.id);
  if (communities.length === 0 || office.length === 0) return;
  const secretaries = (c: DemoCommunity) =>
    people.staff
      .filter((s) =>
        s.grants.some(
          (g) => g.orgUnitId === c.id && ['community_secretary', 'community_worker'].includes(g.roleCode),
        ),
      )
      .map((s) => s.id);
  const towns = [...new Set(communities.map((c) => c.townName))];
  const deptStaff = (id: string) => people.staff.filter((s) => s.departmentId === id).map((s) => s.id);
  const pushing = people.departments.filter((d) => !['ZWFW', 'JCZL'].includes(d.code));
  const assist = lists.items.filter((i) => i.list === 'assist');
  const negative = lists.items.filter((i) => i.list === 'negative' && i.code !== 'FM07');
  const working = (t: number, days: number) => calendar.addWorkingDays(new Date(t), days).getTime();
  const dayOf = (t: number) => beijingDate(new Date(t));
  const audits: AuditBatchEntry[] = [];
  const requestRows: (typeof admissionRequests.$inferInsert)[] = [];
  const targetRows: (typeof admissionRequestTargets.$inferInsert)[] = [];
  const eventRows: (typeof admissionRequestEvents.$inferInsert)[] = [];
  const commentRows: (typeof admissionRequestComments.$inferInsert)[] = [];
  const taskRows: (typeof admissionTasks.$inferInsert)[] = [];
  const taskEventRows: (typeof admissionTaskEvents.$inferInsert)[] = [];
  const outsideRows: (typeof admissionOutsideReports.$inferInsert)[] = [];
  const audit = (e: Omit<AuditBatchEntry, 'districtId' | 'at'> & { at: number }) =>
    audits.push({ ...e, districtId, at: new Date(e.at) });

  for (let m = -LEAD_MONTHS; m < 12; m++) {
    const monthStart = start + (m * DEMO_HISTORY_DAYS * DAY_MS) / 12;
    const monthEnd = start + ((m + 1) * DEMO_HISTORY_DAYS * DAY_MS) / 12;
    const early = 1 - (m + LEAD_MONTHS) / (11 + LEAD_MONTHS);
    for (let n = REQUESTS_BY_MONTH[m + LEAD_MONTHS]!; n > 0; n--) {
      const filedAt =
        working(monthStart + random.between(0, monthEnd - monthStart - DAY_MS), 0) +
        random.between(0.5, 7) * HOUR_MS;
      if (filedAt >= anchor) continue;
      const department = random.pick(pushing);
      const filedBy = deptStaff(department.id)[0] ?? null;
      // What departments ask: early in the year often what the lists forbid; later properly.
      const kind = random.weighted([
        ['assist_funded', 3],
        ['assist_unfunded', 1.5],
        ['negative', 0.5 + 2.5 * early],
        ['inspection', 0.3 + 1.5 * early],
        ['not_listed', 0.5 + 2 * early],
      ] as const);
      const item: AdmissionListItem | null =
        kind === 'negative' ? random.pick(negative) : kind.startsWith('assist') ? random.pick(assist) : null;
      const listed = NOT_LISTED[random.int(0, NOT_LISTED.length - 1)]!;
      const title = item
        ? (kind === 'negative' ? `${item.name}` : `协助开展${item.name}`).slice(0, 60)
        : kind === 'inspection'
          ? `社区${random.pick(['安全生产', '环境卫生', '文明创建'])}工作检查考核`
          : listed[0]!;
      const description = item
        ? `请各社区${kind === 'negative' ? '承担' : '协助做好'}“${item.name}”相关工作，按要求填报并按时上报。`
        : kind === 'inspection'
          ? '区里将对各社区相关工作开展检查考核并打分排名，请社区准备台账资料。'
          : listed[1]!;
      const legalBasis = item?.legalBasis?.[0] ?? (kind === 'inspection' ? '区年度工作考核方案' : listed[2]!);
      // Early asks are heavy (long ledgers, many visits); once the lists hold, they are light.
      const hours = random.pick([2, 3, 4, 6, 8]) * (0.25 + 1.75 * early * early);
      const rate = item?.minFundingYuanPerHour ?? 30;
      const funding =
        kind === 'assist_funded'
          ? Math.ceil(rate * hours * random.between(1, 1.4))
          : kind === 'assist_unfunded'
            ? random.pick([0, 0, Math.floor(rate * hours * 0.5)])
            : 0;
      const recurring = random.chance(0.55);
      const forms: AdmissionForm[] = Array.from({ length: random.int(0, early > 0.5 ? 3 : 1) }, (_, i) => ({
        name: `${title.slice(0, 12)}登记表${i + 1}`,
        kind: random.pick(['form', 'ledger', 'report'] as const),
        frequency: random.pick(['monthly', 'weekly', 'once'] as const),
        fieldCount: random.int(5, 20),
      }));
      // Asking every community at once is what the lists forbid: only the refused asks do it.
      const forbidden = kind === 'negative' || kind === 'inspection';
      const mode = random.weighted([
        ['chosen', 4],
        ['town', 2],
        ['all', forbidden ? 2 : 0],
      ] as const);
      let targets: DemoCommunity[];
      let named: string[] = [];
      if (mode === 'all') targets = communities;
      else if (mode === 'town') {
        const town = random.pick(towns);
        targets = communities.filter((c) => c.townName === town);
        named = [];
      } else {
        const set = new Set<DemoCommunity>();
        for (let i = random.int(2, 5); i > 0; i--) set.add(random.pick(communities.filter((c) => c.urban)));
        targets = [...set];
        named = targets.map((t) => t.id);
      }
      const matches = lists.matcher.match(`${title}\n${description}`, 5);
      const routing = routeRequest(
        {
          matches,
          claimed: item && kind !== 'negative' ? (lists.byCode.get(item.code) ?? null) : null,
          inspectsCommunities: kind === 'inspection',
          ratesCommunities: kind === 'inspection' && random.chance(0.5),
          estimatedHoursPerMonth: Math.round(hours * 10) / 10,
          fundingYuanPerMonth: funding,
        },
        lists.byCode,
      );
      const periodStart = dayOf(working(filedAt, random.int(3, 10)));
      const months = recurring ? (early > 0.5 ? random.int(2, 4) : random.int(1, 2)) : 0;
      const periodEnd = dayOf(
        beijingTime(periodStart).getTime() + (months * 30 + random.int(5, 25)) * DAY_MS,
      );
      const id = uuidv7At(filedAt, random);
      const row: typeof admissionRequests.$inferInsert = {
        id,
        districtId,
        orgUnitId: districtId,
        departmentId: department.id,
        filedBy,
        status: routing.status,
        route: routing.route,
        routeReason: routing.reason,
        title,
        description,
        legalBasis,
        claimedItemCode: item && kind !== 'negative' ? item.code : null,
        claimedItemName: item && kind !== 'negative' ? item.name : null,
        claimedItemList: item && kind !== 'negative' ? item.list : null,
        targetMode: mode,
        targetUnitIds: named,
        periodStart,
        periodEnd,
        recurrence: recurring ? 'recurring' : 'one_off',
        estimatedHoursPerMonth: Math.round(hours * 10) / 10,
        fundingYuanPerMonth: funding,
        fundingNote: funding ? '按社区实际工作量拨付' : null,
        forms,
        meetingsPerMonth: random.int(0, early > 0.5 ? 2 : 1),
        inspectsCommunities: kind === 'inspection',
        ratesCommunities: false,
        matches,
        listVersion: lists.version.version,
        matchedItemCode: routing.item?.code ?? null,
        matchedItemName: routing.item?.name ?? null,
        matchedItemList: routing.item?.list ?? null,
        refusalReason: routing.refusalReason,
        decision: null,
        decisionReasons: null,
        conditions: null,
        decidedBy: null,
        decidedAt: null,
        termStart: null,
        termEnd: null,
        dueAt:
          routing.status === 'refused'
            ? null
            : new Date(
                working(
                  filedAt,
                  routing.status === 'fast_track' ? FAST_TRACK_WORKING_DAYS : REVIEW_WORKING_DAYS,
                ),
              ),
        createdAt: new Date(filedAt),
        updatedAt: new Date(filedAt),
      };
      for (const t of targets) targetRows.push({ requestId: id, orgUnitId: t.id });
      const event = (
        step: string,
        from: string | null,
        to: string,
        at: number,
        actorId: string | null,
        note: string | null,
      ) => {
        eventRows.push({
          id: uuidv7At(at, random),
          requestId: id,
          step,
          fromStatus: from,
          toStatus: to,
          actorId,
          note,
          at: new Date(at),
        });
        audit({
          action: `admission_request.${step}`,
          entityType: 'admission_request',
          entityId: id,
          orgUnitId: districtId,
          at,
          actorId,
          ...(from ? { before: { status: from } } : {}),
          after: { status: to, ...(step === 'file' ? { route: routing.route, title } : {}) },
        });
      };
      event('file', null, routing.status, filedAt, filedBy, routing.reason);
      requestRows.push(row);
      if (routing.status === 'refused') continue;
      // Secretaries of named communities comment on requests under full review.
      if (routing.status === 'in_review' && mode === 'chosen') {
        for (const t of targets) {
          const by = secretaries(t)[0];
          if (!by || !random.chance(0.35)) continue;
          const at = filedAt + random.between(4, 72) * HOUR_MS;
          if (at >= anchor) continue;
          const body = random.pick([
            '社区人手有限，建议由部门派员入户，社区配合。',
            '此项工作与上月报表重复，建议合并。',
            '同意协助，但需明确工作经费。',
          ]);
          const cid = uuidv7At(at, random);
          commentRows.push({ id: cid, requestId: id, orgUnitId: t.id, authorId: by, body, at: new Date(at) });
          audit({
            action: 'admission_request.comment',
            entityType: 'admission_request',
            entityId: id,
            orgUnitId: districtId,
            at,
            actorId: by,
            note: { comment: body },
          });
        }
      }
      // The office decides: fast track within days, full review within (now and then past) 15 working days.
      const limit = routing.status === 'fast_track' ? FAST_TRACK_WORKING_DAYS : REVIEW_WORKING_DAYS;
      const late = random.chance(0.12);
      const decidedAt =
        working(filedAt, late ? limit + random.int(1, 6) : random.int(1, limit - 1)) +
        random.between(0.5, 7) * HOUR_MS;
      if (decidedAt >= anchor) continue;
      const approve =
        routing.status === 'fast_track'
          ? random.chance(0.95)
          : kind === 'not_listed'
            ? random.chance(0.15)
            : random.chance(0.6);
      const decider = random.pick(office);
      if (!approve) {
        const reasons =
          kind === 'not_listed'
            ? '不属于社区依法协助事项，应由部门自行组织实施。'
            : '未落实工作经费，不符合费随事转要求。';
        Object.assign(row, {
          status: 'rejected',
          decision: 'reject',
          decisionReasons: reasons,
          decidedBy: decider,
          decidedAt: new Date(decidedAt),
          updatedAt: new Date(decidedAt),
        });
        event('reject', routing.status, 'rejected', decidedAt, decider, reasons);
        continue;
      }
      const conditional = routing.status === 'in_review' && random.chance(0.5);
      const termStart = [periodStart, dayOf(decidedAt)].sort()[1]!;
      // Day strings compare as days: the later of the two.
      const termEnd = [periodEnd, termStart].sort()[1]!;
      const conditions = conditional ? '部门按月拨付工作经费；不得要求社区另报进度日报。' : null;
      Object.assign(row, {
        status: 'approved',
        decision: conditional ? 'approve_with_conditions' : 'approve',
        decisionReasons: conditional ? null : '属协助事项，经费到位，准予准入。',
        conditions,
        decidedBy: decider,
        decidedAt: new Date(decidedAt),
        termStart,
        termEnd,
        updatedAt: new Date(decidedAt),
      });
      event(
        conditional ? 'approve_with_conditions' : 'approve',
        routing.status,
        'approved',
        decidedAt,
        decider,
        conditions,
      );
      const activeUntil = recurring ? termEnd : termStart;
      for (const t of targets) {
        const tid = uuidv7At(decidedAt, random);
        const task: typeof admissionTasks.$inferInsert = {
          id: tid,
          districtId,
          requestId: id,
          orgUnitId: t.id,
          departmentId: department.id,
          status: 'open',
          title,
          description: conditions ? `${description}\n准入条件：${conditions}` : description,
          itemCode: routing.item?.code ?? null,
          itemName: routing.item?.name ?? null,
          itemList: routing.item?.list ?? null,
          dueAt: beijingTime(termEnd, '17:30'),
          fundingNote: funding ? `每月 ${funding} 元（按社区实际工作量拨付）` : '无工作经费',
          requiredForms: forms,
          formsCount: forms.length,
          meetingsPerMonth: row.meetingsPerMonth!,
          inspectionsPerMonth: 0,
          estimatedHoursPerMonth: row.estimatedHoursPerMonth!,
          activeFrom: termStart,
          activeUntil,
          progressPercent: 0,
          evidence: null,
          acknowledgedAt: null,
          completedAt: null,
          createdAt: new Date(decidedAt),
          updatedAt: new Date(decidedAt),
        };
        taskRows.push(task);
        const taskEvent = (
          step: string,
          from: string | null,
          to: string,
          at: number,
          actorId: string | null,
          note: string | null,
        ) => {
          taskEventRows.push({
            id: uuidv7At(at, random),
            taskId: tid,
            step,
            fromStatus: from,
            toStatus: to,
            actorId,
            note,
            at: new Date(at),
          });
          if (step !== 'assign')
            audit({
              action: `admission_task.${step}`,
              entityType: 'admission_task',
              entityId: tid,
              orgUnitId: t.id,
              at,
              actorId,
              before: { status: from },
              after: { status: to },
            });
        };
        taskEvent('assign', null, 'open', decidedAt, decider, `准入申请已批准（${title}）`);
        const staff = secretaries(t)[0] ?? null;
        const ack = decidedAt + random.between(2, 60) * HOUR_MS;
        if (ack >= anchor || !staff) continue;
        taskEvent('acknowledge', 'open', 'acknowledged', ack, staff, null);
        Object.assign(task, {
          status: 'acknowledged',
          acknowledgedAt: new Date(ack),
          updatedAt: new Date(ack),
        });
        const due = beijingTime(termEnd, '17:30').getTime();
        const doneAt = due - random.between(0, 5) * DAY_MS;
        if (doneAt > ack && doneAt < anchor) {
          const evidence = `台账资料已归档（${t.name}）`;
          taskEvent('complete', 'acknowledged', 'completed', doneAt, staff, evidence);
          Object.assign(task, {
            status: 'completed',
            evidence,
            completedAt: new Date(doneAt),
            progressPercent: 100,
            updatedAt: new Date(doneAt),
          });
        } else if (random.chance(0.5)) {
          const at = ack + random.between(1, 10) * DAY_MS;
          if (at < anchor) {
            const percent = random.pick([30, 50, 70]);
            taskEvent('progress', 'acknowledged', 'acknowledged', at, staff, `${percent}%：按计划推进`);
            Object.assign(task, { progressPercent: percent, updatedAt: new Date(at) });
          }
        }
      }
    }

    // Work pushed down outside the system, reported by communities to the oversight queue.
    for (let n = m < 0 ? 0 : OUTSIDE_BY_MONTH[m]!; n > 0; n--) {
      const at = monthStart + random.between(0, monthEnd - monthStart);
      if (at >= anchor) continue;
      const unit = random.weighted(communities.map((c) => [c, c.urban ? 4 : 1] as const));
      const reporter = secretaries(unit)[0] ?? null;
      const [what, kind, channel] = random.pick(OUTSIDE_WHAT);
      const department = random.pick(pushing);
      const id = uuidv7At(at, random);
      const handledAt = at + random.between(1, 12) * DAY_MS;
      const handled = handledAt < anchor && random.chance(0.85);
      const handler = random.pick(office);
      outsideRows.push({
        id,
        districtId,
        orgUnitId: unit.id,
        departmentId: department.id,
        departmentName: department.name,
        kind,
        what,
        happenedOn: dayOf(at - random.between(0, 3) * DAY_MS),
        channel,
        estimatedHours: random.pick([2, 3, 4, 6, 8]),
        status: handled ? 'handled' : 'open',
        reportedBy: reporter,
        handledBy: handled ? handler : null,
        handledAt: handled ? new Date(handledAt) : null,
        handlingNote: handled ? '已约谈相关部门，停止体制外派活，纳入准入程序。' : null,
        createdAt: new Date(at),
        updatedAt: new Date(handled ? handledAt : at),
      });
      audit({
        action: 'admission_outside_report.file',
        entityType: 'admission_outside_report',
        entityId: id,
        orgUnitId: unit.id,
        at,
        actorId: reporter,
        after: { kind, departmentName: department.name },
      });
      if (handled)
        audit({
          action: 'admission_outside_report.handle',
          entityType: 'admission_outside_report',
          entityId: id,
          orgUnitId: unit.id,
          at: handledAt,
          actorId: handler,
          before: { status: 'open' },
          after: { status: 'handled' },
        });
    }
  }

  await db.transaction(async (tx) => {
    await bulkInsert(tx, admissionRequests, requestRows);
    await bulkInsert(tx, admissionRequestTargets, targetRows);
    await bulkInsert(tx, admissionRequestEvents, eventRows);
    await bulkInsert(tx, admissionRequestComments, commentRows);
    await bulkInsert(tx, admissionTasks, taskRows);
    await bulkInsert(tx, admissionTaskEvents, taskEventRows);
    await bulkInsert(tx, admissionOutsideReports, outsideRows);
    await finishDemoHistory(tx, MODULE, districtId, audits, {
      anchor: new Date(anchor),
      seed,
      counts: { requests: requestRows.length, tasks: taskRows.length, outsideReports: outsideRows.length },
    });
  });
  ctx.log.info(
    `demo history: ${requestRows.length} admission requests, ${taskRows.length} community tasks (${((performance.now() - began) / 1000).toFixed(1)} s)`,
  );
}
