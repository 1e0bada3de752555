import type { MessagePage } from '@linli/contracts';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, residentLogin, loginAs, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { jobs } from '../../core/jobs';
import { REMINDER_JOB, reminderAt } from './office-hours-reminders';

/** Reminders of booked office hours, run by the job runner on a fake clock. */

const HOUR = 3_600_000;
// Monday 2026-12-07 09:00 Beijing.
const clock = new FakeClock(new Date('2026-12-07T01:00:00Z'));
let t: TestApp;
let hanlin: string;
let itemId: string;

const at = (hoursFromNow: number) => new Date(clock.now().getTime() + hoursFromNow * HOUR);

/** Department staff, signed in afresh: the fake clock jumps past a session's idle limit. */
const staff = () => loginAs(t.app, 'minzheng-staff');

async function publish(startsInHours: number): Promise<string> {
  const res = await (await staff()).post('/api/v1/office-hours', {
    orgUnitId: hanlin,
    startsAt: at(startsInHours).toISOString(),
    endsAt: at(startsInHours + 3).toISOString(),
    place: '翰林社区党群服务中心 101',
    itemIds: [itemId],
    capacity: 5,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function book(resident: Client, sessionId: string): Promise<string> {
  const res = await resident.post(`/api/v1/office-hours/${sessionId}/bookings`);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

/** The reminder jobs of one booking, oldest first. */
const remindersOf = async (bookingId: string) =>
  (
    await t.database.db
      .select()
      .from(jobs)
      .where(eq(jobs.idempotencyKey, `${REMINDER_JOB}:${bookingId}`))
  ).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

/** A resident's 消息, read after signing in afresh (the fake clock jumps past a session's idle limit). */
const inbox = async (phone: string) =>
  ((await (await residentLogin(t, phone)).get('/api/v1/messages?limit=50')).json() as MessagePage).items;
const titles = async (phone: string) => (await inbox(phone)).map((m) => m.title);

const reminderRuns = async () => (await t.app.jobs.runDue()).filter((r) => r.name === REMINDER_JOB);

beforeAll(async () => {
  t = await buildTestApp({}, { clock });
  const anon = new Client(t.app);
  hanlin = (
    (await anon.get(`/api/v1/org-units?q=${encodeURIComponent('翰林社区')}`)).json().items as {
      id: string;
      name: string;
    }[]
  ).find((u) => u.name === '翰林社区')!.id;
  itemId = (await anon.get(`/api/v1/service-items?q=${encodeURIComponent('最低生活保障')}&limit=1`)).json()
    .items[0].id;
});
afterAll(() => t.close());

describe('reminderAt', () => {
  const now = new Date('2026-12-07T01:00:00Z');
  it('is the day before, or two hours before for a late booking, or none within two hours', () => {
    expect(reminderAt(new Date(now.getTime() + 72 * HOUR), now)).toEqual(new Date(now.getTime() + 48 * HOUR));
    expect(reminderAt(new Date(now.getTime() + 10 * HOUR), now)).toEqual(new Date(now.getTime() + 8 * HOUR));
    expect(reminderAt(new Date(now.getTime() + 2 * HOUR), now)).toBeNull();
    expect(reminderAt(new Date(now.getTime() + 1 * HOUR), now)).toBeNull();
  });
});

describe('office-hours reminders on the job runner', () => {
  it('reminds the resident the day before, once, in 消息 and by text', async () => {
    const resident = await residentLogin(t, '13800000101');
    const session = await publish(72);
    const booking = await book(resident, session);
    const [job] = await remindersOf(booking);
    expect(job).toMatchObject({ state: 'queued', runAt: at(48) });
    // Not before it is due.
    expect(await reminderRuns()).toEqual([]);
    clock.advance(48 * HOUR);
    expect(await reminderRuns()).toMatchObject([{ state: 'done' }]);
    const items = await inbox('13800000101');
    expect(items.map((m) => m.title)).toContain('预约提醒：罗江区民政局坐班');
    const reminder = items.find((m) => m.title === '预约提醒：罗江区民政局坐班')!;
    expect(reminder.body).toContain('12月10日 09:00');
    expect(reminder.body).toContain('翰林社区党群服务中心 101');
    expect(reminder.link).toBe(`/office-hours/${session}`);
    expect(reminder.deliveries.map((d) => d.channel)).toContain('sms');
    // Once: nothing more runs for it.
    clock.advance(HOUR);
    expect(await reminderRuns()).toEqual([]);
  });

  it('cancels the reminder with the booking, and says nothing after', async () => {
    const resident = await residentLogin(t, '13800000102');
    const session = await publish(30);
    const booking = await book(resident, session);
    expect((await remindersOf(booking))[0]).toMatchObject({ state: 'queued', runAt: at(6) });
    const cancelled = await resident.post(`/api/v1/office-hours/${session}/bookings/${booking}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((await remindersOf(booking))[0]).toMatchObject({ state: 'cancelled' });
    clock.advance(7 * HOUR);
    expect(await reminderRuns()).toEqual([]);
    expect(await titles('13800000102')).not.toContain('预约提醒：罗江区民政局坐班');
  });

  it('moves the reminders with the session, and reminds a late booking two hours before', async () => {
    const resident = await residentLogin(t, '13800000103');
    const session = await publish(50);
    const booking = await book(resident, session);
    expect((await remindersOf(booking)).map((j) => j.state)).toEqual(['queued']);
    const moved = await (await staff()).patch(`/api/v1/office-hours/${session}`, {
      startsAt: at(80).toISOString(),
      endsAt: at(83).toISOString(),
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const [old, now] = await remindersOf(booking);
    expect(old).toMatchObject({ state: 'cancelled' });
    expect(now).toMatchObject({ state: 'queued', runAt: at(56) });
    // Booked five hours before: reminded two hours before.
    const late = await residentLogin(t, '13800000104');
    const soon = await publish(5);
    const lateBooking = await book(late, soon);
    expect((await remindersOf(lateBooking))[0]).toMatchObject({ runAt: at(3) });
    clock.advance(3 * HOUR);
    expect(await reminderRuns()).toMatchObject([{ state: 'done' }]);
    expect(await titles('13800000104')).toContain('预约提醒：罗江区民政局坐班');
  });

  it('tells everyone who booked when the department cancels the session, and drops their reminders', async () => {
    const a = await residentLogin(t, '13800000105');
    const b = await residentLogin(t, '13800000106');
    const session = await publish(60);
    const bookings = [await book(a, session), await book(b, session)];
    const res = await (await staff()).post(`/api/v1/office-hours/${session}/cancel`);
    expect(res.statusCode, res.body).toBe(200);
    // Read with the sessions they booked with (no time has passed).
    for (const c of [a, b])
      expect(
        ((await c.get('/api/v1/messages?limit=50')).json() as MessagePage).items.map((m) => m.title),
      ).toContain('坐班取消：罗江区民政局');
    for (const id of bookings) expect((await remindersOf(id))[0]).toMatchObject({ state: 'cancelled' });
    clock.advance(40 * HOUR);
    expect(await reminderRuns()).toEqual([]);
  });
});
