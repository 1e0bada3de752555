import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';

let t: TestApp;
let anon: Client;
let admin: Client;
let staff: Client;
let secretary: Client;
let worker: Client;
let resident: Client;
let hanlin: string;
let itemId: string;
const MISSING = '01a21ec6-c7d7-7006-bfa5-6de3bb1dce11';
const inDays = (d: number, h = 0) => new Date(Date.now() + d * 86_400_000 + h * 3_600_000).toISOString();

const unitId = async (name: string) => {
  const res = await anon.get(`/api/v1/org-units?q=${encodeURIComponent(name)}`);
  return (res.json().items as { id: string; name: string }[]).find((u) => u.name === name)!.id;
};
const session = (extra: Record<string, unknown> = {}) => ({
  orgUnitId: hanlin,
  startsAt: inDays(2),
  endsAt: inDays(2, 3),
  place: '翰林社区党群服务中心 101',
  itemIds: [itemId],
  capacity: 2,
  ...extra,
});

beforeAll(async () => {
  t = await buildTestApp();
  anon = new Client(t.app);
  admin = await loginAs(t.app, 'admin');
  staff = await loginAs(t.app, 'minzheng-staff');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  worker = await loginAs(t.app, 'jiahe-worker');
  resident = await residentLogin(t, '13800000001');
  hanlin = await unitId('翰林社区');
  itemId = (await anon.get(`/api/v1/service-items?q=${encodeURIComponent('最低生活保障')}&limit=1`)).json()
    .items[0].id;
});
afterAll(() => t.close());

describe('office hours (区级部门下沉)', () => {
  it('lets department staff publish a session for their department; others get 401/403', async () => {
    expect((await anon.post('/api/v1/office-hours', session())).statusCode).toBe(401);
    expect((await secretary.post('/api/v1/office-hours', session())).statusCode).toBe(403);
    expect((await resident.post('/api/v1/office-hours', session())).statusCode).toBe(403);
    const res = await staff.post('/api/v1/office-hours', session());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      department: { name: '罗江区民政局' },
      orgUnit: { name: '翰林社区' },
      capacity: 2,
      remaining: 2,
      status: 'scheduled',
      items: [{ id: itemId, name: '最低生活保障' }],
    });
  });

  it('answers 400 naming fields, and 422 for a unit that is not a community', async () => {
    const bad = await staff.post('/api/v1/office-hours', { orgUnitId: hanlin, capacity: 0, place: '' });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/capacity', 'body/startsAt', 'body/place']));
    const backwards = await staff.post('/api/v1/office-hours', session({ endsAt: inDays(1) }));
    expect(backwards.json().errors[0].field).toBe('body/endsAt');
    const town = (await anon.get(`/api/v1/org-units/${hanlin}`)).json();
    const parent = town.parentId ?? town.parent?.id;
    if (parent)
      expect((await staff.post('/api/v1/office-hours', session({ orgUnitId: parent }))).statusCode).toBe(422);
    expect((await staff.post('/api/v1/office-hours', session({ orgUnitId: MISSING }))).statusCode).toBe(404);
    // A district admin must name the department.
    expect((await admin.post('/api/v1/office-hours', session())).json().errors[0].field).toBe(
      'body/departmentId',
    );
  });

  it('lists upcoming sessions publicly with remaining places', async () => {
    const list = await anon.get(`/api/v1/office-hours?orgUnitId=${hanlin}`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.length).toBeGreaterThan(0);
    const none = await anon.get(
      `/api/v1/office-hours?orgUnitId=${hanlin}&to=${encodeURIComponent(inDays(1))}`,
    );
    expect(none.json().items).toEqual([]);
    expect((await anon.get(`/api/v1/office-hours/${MISSING}`)).statusCode).toBe(404);
    expect((await anon.get('/api/v1/office-hours?from=yesterday')).statusCode).toBe(400);
  });

  it('books the last place once when two residents race for it (one 201, one 409)', async () => {
    const s = (await staff.post('/api/v1/office-hours', session({ capacity: 1 }))).json();
    const a = await residentLogin(t, '13800000002');
    const b = await residentLogin(t, '13800000003');
    const results = await Promise.all([
      a.post(`/api/v1/office-hours/${s.id}/bookings`),
      b.post(`/api/v1/office-hours/${s.id}/bookings`),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().code).toBe('conflict');
    expect((await anon.get(`/api/v1/office-hours/${s.id}`)).json()).toMatchObject({
      booked: 1,
      remaining: 0,
    });
  });

  it('lets a resident book, see, cancel and rebook, and staff check them in', async () => {
    const s = (await staff.post('/api/v1/office-hours', session())).json();
    expect((await anon.post(`/api/v1/office-hours/${s.id}/bookings`)).statusCode).toBe(401);
    expect((await staff.post(`/api/v1/office-hours/${s.id}/bookings`)).statusCode).toBe(403);
    const booked = await resident.post(`/api/v1/office-hours/${s.id}/bookings`);
    expect(booked.statusCode).toBe(201);
    expect((await resident.post(`/api/v1/office-hours/${s.id}/bookings`)).statusCode).toBe(409);
    const mine = (await resident.get('/api/v1/office-hours/mine')).json().items;
    expect(mine[0]).toMatchObject({
      id: booked.json().id,
      status: 'booked',
      session: { id: s.id, remaining: 1 },
    });

    const other = await residentLogin(t, '13800000004');
    expect(
      (await other.post(`/api/v1/office-hours/${s.id}/bookings/${booked.json().id}/cancel`)).statusCode,
    ).toBe(404);
    const cancelled = await resident.post(`/api/v1/office-hours/${s.id}/bookings/${booked.json().id}/cancel`);
    expect(cancelled.json().status).toBe('cancelled');
    const again = await resident.post(`/api/v1/office-hours/${s.id}/bookings/${booked.json().id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().state).toBe('cancelled');

    const rebooked = (await resident.post(`/api/v1/office-hours/${s.id}/bookings`)).json();
    // Another community's worker sees the (public) session but may not check anyone in.
    expect(
      (await worker.post(`/api/v1/office-hours/${s.id}/bookings/${rebooked.id}/check-in`)).statusCode,
    ).toBe(403);
    const attendees = (await secretary.get(`/api/v1/office-hours/${s.id}/bookings`)).json().items;
    expect(attendees.map((x: { id: string }) => x.id)).toContain(rebooked.id);
    const checked = await secretary.post(`/api/v1/office-hours/${s.id}/bookings/${rebooked.id}/check-in`);
    expect(checked.statusCode).toBe(200);
    expect(checked.json().status).toBe('checked_in');
    expect(
      (await staff.post(`/api/v1/office-hours/${s.id}/bookings/${rebooked.id}/check-in`)).statusCode,
    ).toBe(409);
  });

  it('keeps other departments off a session, and cancels it with its bookings', async () => {
    const s = (await staff.post('/api/v1/office-hours', session())).json();
    // A district admin creates a session of another department; 民政局 staff may not cancel it.
    const depts = (await admin.get('/api/v1/departments')).json().items as { id: string; name: string }[];
    const rsj = depts.find((d) => d.name !== '罗江区民政局')!;
    const foreign = await admin.post('/api/v1/office-hours', session({ departmentId: rsj.id }));
    expect(foreign.statusCode).toBe(201);
    expect((await staff.post(`/api/v1/office-hours/${foreign.json().id}/cancel`)).statusCode).toBe(403);
    expect((await staff.post('/api/v1/office-hours', session({ departmentId: rsj.id }))).statusCode).toBe(
      403,
    );

    const b = (await resident.post(`/api/v1/office-hours/${s.id}/bookings`)).json();
    const cancelled = await staff.post(`/api/v1/office-hours/${s.id}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', booked: 0 });
    const again = await staff.post(`/api/v1/office-hours/${s.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().state).toBe('cancelled');
    const mine = (await resident.get('/api/v1/office-hours/mine')).json().items;
    expect(mine.find((m: { id: string }) => m.id === b.id).status).toBe('cancelled');
    expect((await resident.post(`/api/v1/office-hours/${s.id}/bookings`)).statusCode).toBe(409);
  });

  it('lets the department edit a session that has not started, never below the places taken', async () => {
    const s = (await staff.post('/api/v1/office-hours', session({ capacity: 3 }))).json();
    expect((await anon.patch(`/api/v1/office-hours/${s.id}`, { place: 'x' })).statusCode).toBe(401);
    expect((await secretary.patch(`/api/v1/office-hours/${s.id}`, { place: 'x' })).statusCode).toBe(403);
    expect((await resident.patch(`/api/v1/office-hours/${s.id}`, { place: 'x' })).statusCode).toBe(403);
    expect((await staff.patch(`/api/v1/office-hours/${MISSING}`, { place: 'x' })).statusCode).toBe(404);

    const a = await residentLogin(t, '13800000005');
    const b = await residentLogin(t, '13800000006');
    expect((await a.post(`/api/v1/office-hours/${s.id}/bookings`)).statusCode).toBe(201);
    expect((await b.post(`/api/v1/office-hours/${s.id}/bookings`)).statusCode).toBe(201);

    const tooSmall = await staff.patch(`/api/v1/office-hours/${s.id}`, { capacity: 1 });
    expect(tooSmall.statusCode).toBe(400);
    expect(tooSmall.json().errors[0].field).toBe('body/capacity');
    const backwards = await staff.patch(`/api/v1/office-hours/${s.id}`, { endsAt: inDays(1) });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].field).toBe('body/endsAt');
    const badItem = await staff.patch(`/api/v1/office-hours/${s.id}`, { itemIds: [MISSING] });
    expect(badItem.json().errors[0].field).toBe('body/itemIds');
    expect((await staff.patch(`/api/v1/office-hours/${s.id}`, { capacity: 2, extra: 1 })).statusCode).toBe(
      400,
    );

    const edited = await staff.patch(`/api/v1/office-hours/${s.id}`, {
      place: '翰林社区党群服务中心 203',
      capacity: 2,
      startsAt: inDays(3),
      endsAt: inDays(3, 2),
      itemIds: [],
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      place: '翰林社区党群服务中心 203',
      capacity: 2,
      booked: 2,
      remaining: 0,
      items: [],
    });
    expect(Date.parse(edited.json().startsAt)).toBeGreaterThan(Date.parse(inDays(2, 23)));
    expect((await anon.get(`/api/v1/office-hours/${s.id}`)).json().place).toBe('翰林社区党群服务中心 203');
    // Full now: a third resident is refused.
    expect((await resident.post(`/api/v1/office-hours/${s.id}/bookings`)).statusCode).toBe(409);

    // Another department's session: 403; a cancelled one: 409 naming the state.
    const depts = (await admin.get('/api/v1/departments')).json().items as { id: string; name: string }[];
    const other = depts.find((d) => d.name !== '罗江区民政局')!;
    const foreign = (await admin.post('/api/v1/office-hours', session({ departmentId: other.id }))).json();
    expect((await staff.patch(`/api/v1/office-hours/${foreign.id}`, { place: 'x' })).statusCode).toBe(403);
    expect((await admin.patch(`/api/v1/office-hours/${foreign.id}`, { capacity: 9 })).json().capacity).toBe(
      9,
    );
    await staff.post(`/api/v1/office-hours/${s.id}/cancel`);
    const late = await staff.patch(`/api/v1/office-hours/${s.id}`, { place: 'x' });
    expect(late.statusCode).toBe(409);
    expect(late.json().state).toBe('cancelled');
  });

  it('shows staff the masked phone of each booking, never the full number', async () => {
    const s = (await staff.post('/api/v1/office-hours', session())).json();
    await resident.post(`/api/v1/office-hours/${s.id}/bookings`);
    const res = await staff.get(`/api/v1/office-hours/${s.id}/bookings`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items[0].phone).toBe('138****0001');
    expect(res.body).not.toContain('13800000001');
    expect((await resident.get(`/api/v1/office-hours/${s.id}/bookings`)).statusCode).toBe(403);
  });

  it('filters the list by service item and department, and shows cancelled ones only when asked', async () => {
    const other = (
      await anon.get(`/api/v1/service-items?q=${encodeURIComponent('老年人优待证')}&limit=1`)
    ).json().items[0].id as string;
    const s = (
      await staff.post('/api/v1/office-hours', session({ itemIds: [other], place: '按事项筛选' }))
    ).json();
    const byItem = (await anon.get(`/api/v1/office-hours?itemId=${other}`)).json().items as { id: string }[];
    expect(byItem.map((x) => x.id)).toContain(s.id);
    const notThatItem = (await anon.get(`/api/v1/office-hours?itemId=${itemId}`)).json().items as {
      id: string;
    }[];
    expect(notThatItem.map((x) => x.id)).not.toContain(s.id);
    const dept = s.department.id as string;
    const byDept = (await anon.get(`/api/v1/office-hours?departmentId=${dept}`)).json().items as {
      department: { id: string };
    }[];
    expect(byDept.length).toBeGreaterThan(0);
    expect(byDept.every((x) => x.department.id === dept)).toBe(true);

    await staff.post(`/api/v1/office-hours/${s.id}/cancel`);
    const hidden = (await anon.get(`/api/v1/office-hours?itemId=${other}`)).json().items as { id: string }[];
    expect(hidden.map((x) => x.id)).not.toContain(s.id);
    const shown = (await anon.get(`/api/v1/office-hours?itemId=${other}&includeCancelled=true`)).json()
      .items as { id: string; status: string }[];
    expect(shown.find((x) => x.id === s.id)?.status).toBe('cancelled');
  });
});
