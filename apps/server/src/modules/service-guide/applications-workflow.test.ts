import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  APPLICATION_STATUSES,
  APPLICATION_STEPS,
  type ApplicationStatus,
  type ApplicationStep,
} from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { systemContext } from '../../core/context';
import { AppError } from '../../core/errors';
import { receiveFile } from '../../core/files';
import { auditLog } from '../../core/schema';
import { unitByName } from '../identity/fixtures';
import { messages } from '../messages/schema';
import { accountByPhone, buildApplication, itemByName, PNG } from './applications-fixtures';
import { applicationEvents } from './applications-schema';
import { type ApplicationDeps, applyTransition, type StepInput } from './applications-service';
import { APPLICATION_TRANSITIONS, isOverdue, nextStatus } from './applications-workflow';

/** The legal steps, written out by hand from the brief (not copied from the table it checks). */
const LEGAL: Record<ApplicationStatus, Partial<Record<ApplicationStep, ApplicationStatus>>> = {
  submitted: { pre_review: 'pre_review', request_more: 'needs_more', withdraw: 'withdrawn' },
  needs_more: { add_materials: 'submitted', withdraw: 'withdrawn' },
  pre_review: { accept: 'accepted', withdraw: 'withdrawn' },
  accepted: { forward: 'forwarded', complete: 'done', refuse: 'refused' },
  forwarded: { complete: 'done', refuse: 'refused' },
  done: { result_ready: 'result_ready' },
  result_ready: { finish: 'completed' },
  completed: { rate: 'rated' },
  rated: {},
  refused: {},
  withdrawn: {},
};

const pairs = APPLICATION_STATUSES.flatMap((s) => APPLICATION_STEPS.map((step) => [s, step] as const));

describe('the application transition table', () => {
  it('has a row for every state and only known steps', () => {
    expect(Object.keys(APPLICATION_TRANSITIONS).sort()).toEqual([...APPLICATION_STATUSES].sort());
  });
  it.each(pairs)('from %s, %s leads where the brief says (or nowhere)', (state, step) => {
    expect(nextStatus(state, step)).toBe(LEGAL[state][step] ?? null);
  });
  it('counts as overdue only a running application past its deadline', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const past = new Date('2026-11-30T00:00:00Z');
    expect(isOverdue({ status: 'accepted', dueAt: past }, now)).toBe(true);
    expect(isOverdue({ status: 'forwarded', dueAt: past }, now)).toBe(true);
    expect(isOverdue({ status: 'done', dueAt: past }, now)).toBe(false);
    expect(isOverdue({ status: 'accepted', dueAt: now }, now)).toBe(false);
    expect(isOverdue({ status: 'submitted', dueAt: null }, now)).toBe(false);
  });
});

let t: TestApp;
let deps: ApplicationDeps;
let ids: { unit: string; item: string; resident: string; district: string };
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-apps-wf-'));

beforeAll(async () => {
  t = await buildTestApp({ dataDir }, { clock });
  const unit = await unitByName(t.database.db, '家和社区');
  const item = await itemByName(t.database.db, '最低生活保障');
  const resident = await accountByPhone(t.database.db, '13800000001');
  ids = { unit: unit.id, item: item.id, resident: resident.id, district: unit.districtId };
  deps = { db: t.database.db, clock, dataDir };
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const inputFor = async (step: ApplicationStep): Promise<StepInput> => {
  switch (step) {
    case 'request_more':
      return { step, missingMaterials: ['户口簿'] };
    case 'add_materials':
      return { step, files: [await receiveFile(dataDir, PNG, { filename: 'hukou.png', label: '户口簿' })] };
    case 'refuse':
      return { step, reason: '不符合申请条件' };
    case 'result_ready':
      return { step, delivery: 'pick_up' };
    case 'rate':
      return { step, rating: 5, comment: '很方便' };
    default:
      return { step };
  }
};

describe('applyTransition over every (state, step) pair', () => {
  it.each(pairs)(
    'from %s, %s moves to the next state or answers 409 naming the state',
    async (state, step) => {
      const app = await buildApplication(t.database.db, {
        orgUnitId: ids.unit,
        itemId: ids.item,
        residentId: ids.resident,
        status: state,
        at: clock.now(),
      });
      const ctx = systemContext(ids.district);
      const to = LEGAL[state][step];
      if (!to) {
        const err = await applyTransition(deps, ctx, app.id, await inputFor(step)).catch((e) => e);
        expect(err).toBeInstanceOf(AppError);
        expect(err.status).toBe(409);
        expect(err.code).toBe('invalid-transition');
        expect(err.extra.state).toBe(state);
        expect(err.message).toContain(state);
        const events = await t.database.db
          .select()
          .from(applicationEvents)
          .where(eq(applicationEvents.applicationId, app.id));
        expect(events).toHaveLength(0);
        return;
      }
      const view = await applyTransition(deps, ctx, app.id, await inputFor(step));
      expect(view.app.status).toBe(to);
      expect(view.events.map((e) => [e.step, e.fromStatus, e.toStatus])).toEqual([[step, state, to]]);
      const audit = await t.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityType, 'application'), eq(auditLog.entityId, app.id)));
      expect(audit.map((a) => a.action)).toEqual([`application.${step}`]);
      const inbox = await t.database.db
        .select()
        .from(messages)
        .where(and(eq(messages.accountId, ids.resident), eq(messages.link, `/applications/${app.id}`)));
      expect(inbox).toHaveLength(1);
      if (step === 'accept') expect(view.app.dueAt).not.toBeNull();
      if (step === 'add_materials') expect(view.files).toHaveLength(1);
    },
  );

  it('lets only one of two racing steps win; the loser gets 409 naming the new state', async () => {
    const app = await buildApplication(t.database.db, {
      orgUnitId: ids.unit,
      itemId: ids.item,
      residentId: ids.resident,
      status: 'accepted',
      at: clock.now(),
    });
    const ctx = systemContext(ids.district);
    const results = await Promise.allSettled([
      applyTransition(deps, ctx, app.id, { step: 'complete' }),
      applyTransition(deps, ctx, app.id, { step: 'refuse', reason: '材料不实' }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason.code).toBe('invalid-transition');
    expect(['done', 'refused']).toContain(failed[0]!.reason.extra.state);
  });

  it('sets the deadline in working days of the district calendar on acceptance', async () => {
    const app = await buildApplication(t.database.db, {
      orgUnitId: ids.unit,
      itemId: ids.item,
      residentId: ids.resident,
      status: 'pre_review',
      at: clock.now(),
    });
    const view = await applyTransition(deps, systemContext(ids.district), app.id, { step: 'accept' });
    expect(view.app.acceptedAt?.toISOString()).toBe(clock.now().toISOString());
    expect(view.app.dueAt!.getTime()).toBeGreaterThan(clock.now().getTime());
  });
});
