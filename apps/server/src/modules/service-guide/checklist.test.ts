import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';

let t: TestApp;
let anon: Client;
let resident: Client;
const MISSING = '01a21ec6-c7d7-7006-bfa5-6de3bb1dce11';

beforeAll(async () => {
  t = await buildTestApp();
  anon = new Client(t.app);
  resident = await residentLogin(t, '13800000001');
});
afterAll(() => t.close());

describe('checklist sync (/me/checklists)', () => {
  it('round-trips a resident’s ticks; last write wins; unknown names are dropped', async () => {
    const [item] = (await anon.get('/api/v1/service-items?limit=1')).json().items;
    const detail = (await anon.get(`/api/v1/service-items/${item.id}`)).json();
    const names = (detail.guide.materials as { name: string }[]).map((m) => m.name);
    const empty = await resident.get(`/api/v1/me/checklists/${item.id}`);
    expect(empty.json()).toEqual({ itemId: item.id, checked: [], updatedAt: null });

    const put = await resident.request({
      method: 'PUT',
      url: `/api/v1/me/checklists/${item.id}`,
      payload: { checked: [names[0], '不存在的材料'] },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().checked).toEqual([names[0]]);
    const second = await resident.request({
      method: 'PUT',
      url: `/api/v1/me/checklists/${item.id}`,
      payload: { checked: [] },
    });
    expect(second.json().checked).toEqual([]);
    const read = (await resident.get(`/api/v1/me/checklists/${item.id}`)).json();
    expect(read.checked).toEqual([]);
    expect(read.updatedAt).not.toBeNull();
  });

  it('answers 401, 403 for staff, 404 for an unknown item and 400 naming the field', async () => {
    expect((await anon.get(`/api/v1/me/checklists/${MISSING}`)).statusCode).toBe(401);
    const staff = await loginAs(t.app, 'admin');
    expect((await staff.get(`/api/v1/me/checklists/${MISSING}`)).statusCode).toBe(403);
    expect((await resident.get(`/api/v1/me/checklists/${MISSING}`)).statusCode).toBe(404);
    const bad = await resident.request({
      method: 'PUT',
      url: `/api/v1/me/checklists/${MISSING}`,
      payload: { checked: [{ name: 1 }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toMatch(/^body\/checked/);
  });
});
