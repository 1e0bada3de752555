import {
  ADMISSION_REQUEST_STATUSES,
  ADMISSION_REQUEST_STEPS,
  ADMISSION_TASK_STATUSES,
  type AdmissionRequestStatus,
  type AdmissionRequestStep,
  type AdmissionTaskStatus,
} from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { systemContext } from '../../core/context';
import { AppError } from '../../core/errors';
import { auditLog } from '../../core/schema';
import { buildRequest, buildTask } from './fixtures';
import type { AdmissionDeps } from './lists-service';
import { admissionRequestEvents, admissionTaskEvents, admissionTasks } from './schema';
import { applyRequestStep, type RequestStepInput } from './service';
import { applyTaskStep, type TaskStepInput } from './tasks-service';
import { nextRequestStatus, nextTaskStatus } from './workflow';

let t: TestApp;
let deps: AdmissionDeps;
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));

beforeAll(async () => {
  t = await buildTestApp({}, { clock });
  deps = { db: t.database.db, clock };
});
afterAll(() => t.close());

const requestInput = (step: AdmissionRequestStep): RequestStepInput => {
  switch (step) {
    case 'appeal':
      return { step, justification: '理由' };
    case 'withdraw':
      return { step, reason: '经费未到位' };
    case 'reject':
      return { step, reasons: '不符合准入条件' };
    case 'approve_with_conditions':
      return { step, conditions: '不得要求日报' };
    default:
      return { step };
  }
};

const requestPairs = ADMISSION_REQUEST_STATUSES.flatMap((s) =>
  ADMISSION_REQUEST_STEPS.map((step) => [s, step] as const),
);

describe('applyRequestStep over every (state, step) pair', () => {
  it.each(requestPairs)(
    'from %s, %s moves on (with history, audit and tasks) or answers 409 naming the state',
    async (state: AdmissionRequestStatus, step: AdmissionRequestStep) => {
      const req = await buildRequest(t.database.db, { status: state, communities: ['翰林社区', '家和社区'] });
      const ctx = systemContext(req.districtId);
      const to = nextRequestStatus(state, step);
      const events = () =>
        t.database.db
          .select()
          .from(admissionRequestEvents)
          .where(eq(admissionRequestEvents.requestId, req.id));
      const tasks = () =>
        t.database.db.select().from(admissionTasks).where(eq(admissionTasks.requestId, req.id));
      if (!to) {
        const err = await applyRequestStep(deps, ctx, req.id, requestInput(step)).catch((e) => e);
        expect(err).toBeInstanceOf(AppError);
        expect(err.status).toBe(409);
        expect(err.extra.state).toBe(state);
        expect(await events()).toHaveLength(0);
        expect(await tasks()).toHaveLength(0);
        return;
      }
      const view = await applyRequestStep(deps, ctx, req.id, requestInput(step));
      expect(view.req.status).toBe(to);
      expect((await events()).map((e) => [e.step, e.fromStatus, e.toStatus])).toEqual([[step, state, to]]);
      const audit = await t.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityType, 'admission_request'), eq(auditLog.entityId, req.id)));
      expect(audit.map((a) => a.action)).toEqual([`admission_request.${step}`]);
      // Only an approval reaches communities: one task per target community, in the same step.
      expect(await tasks()).toHaveLength(to === 'approved' ? 2 : 0);
      if (step === 'appeal') expect(view.req.dueAt?.toISOString()).toBe('2026-12-18T09:30:00.000Z');
    },
  );

  it('lets only one of two racing decisions win; the loser gets 409 naming the new state', async () => {
    const req = await buildRequest(t.database.db, { status: 'in_review' });
    const ctx = systemContext(req.districtId);
    const results = await Promise.allSettled([
      applyRequestStep(deps, ctx, req.id, { step: 'approve' }),
      applyRequestStep(deps, ctx, req.id, { step: 'reject', reasons: '不予准入' }),
    ]);
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason.code).toBe('invalid-transition');
    expect(['approved', 'rejected']).toContain(failed[0]!.reason.extra.state);
    const tasks = await t.database.db
      .select()
      .from(admissionTasks)
      .where(eq(admissionTasks.requestId, req.id));
    expect(tasks).toHaveLength(results[0]!.status === 'fulfilled' ? 1 : 0);
  });
});

const taskInput = (step: 'acknowledge' | 'progress' | 'complete'): TaskStepInput =>
  step === 'progress'
    ? { step, percent: 30, note: '进行中' }
    : step === 'complete'
      ? { step, evidence: '台账' }
      : { step };

describe('applyTaskStep over every (state, step) pair', () => {
  const steps = ['acknowledge', 'progress', 'complete'] as const;
  const pairs = ADMISSION_TASK_STATUSES.flatMap((s) => steps.map((step) => [s, step] as const));
  it.each(pairs)(
    'from %s, %s moves on or answers 409 naming the state',
    async (state: AdmissionTaskStatus, step) => {
      const req = await buildRequest(t.database.db, { status: 'approved' });
      const task = await buildTask(t.database.db, req, '翰林社区', state);
      const ctx = systemContext(req.districtId);
      const to = nextTaskStatus(state, step);
      const events = () =>
        t.database.db.select().from(admissionTaskEvents).where(eq(admissionTaskEvents.taskId, task.id));
      if (!to) {
        const err = await applyTaskStep(deps, ctx, task.id, taskInput(step)).catch((e) => e);
        expect(err.status).toBe(409);
        expect(err.extra.state).toBe(state);
        expect(await events()).toHaveLength(0);
        return;
      }
      const view = await applyTaskStep(deps, ctx, task.id, taskInput(step));
      expect(view.task.status).toBe(to);
      expect((await events()).map((e) => [e.step, e.fromStatus, e.toStatus])).toEqual([[step, state, to]]);
      if (step === 'complete') expect(view.task).toMatchObject({ evidence: '台账', progressPercent: 100 });
    },
  );
});
