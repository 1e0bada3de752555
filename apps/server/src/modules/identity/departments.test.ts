import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('departments', () => {
  it('lists the district’s departments without sign-in', async () => {
    const res = await new Client(t.app).get('/api/v1/departments');
    expect(res.statusCode).toBe(200);
    const names = (res.json().items as { name: string }[]).map((d) => d.name);
    expect(names).toContain('罗江区民政局');
    expect(names).toHaveLength(15);
  });

  it('tells department staff their department in /me', async () => {
    const staff = await loginAs(t.app, 'minzheng-staff');
    const me = (await staff.get('/api/v1/me')).json();
    expect(me.department).toMatchObject({ name: '罗江区民政局', code: 'MZJ' });
    expect(me.grants[0]).toMatchObject({ roleCode: 'department_staff', orgUnit: { name: '罗江区' } });
    const worker = await loginAs(t.app, 'jiahe-worker');
    expect((await worker.get('/api/v1/me')).json().department).toBeNull();
  });

  it('creates department staff with a department and refuses an unknown one naming the field', async () => {
    const admin = await loginAs(t.app, 'admin');
    const district = (await admin.get('/api/v1/org-units?kind=district')).json().items[0].id;
    const depts = (await admin.get('/api/v1/departments')).json().items as { id: string; name: string }[];
    const rsj = depts.find((d) => d.name === '罗江区人力资源和社会保障局')!;
    const ok = await admin.post('/api/v1/accounts', {
      username: 'rsj-clerk',
      displayName: '人社局李科员',
      orgUnitId: district,
      departmentId: rsj.id,
    });
    expect(ok.statusCode).toBe(201);
    const bad = await admin.post('/api/v1/accounts', {
      username: 'nobody-dept',
      displayName: '无部门',
      orgUnitId: district,
      departmentId: '01a21ec6-c7d7-7006-bfa5-6de3bb1dce11',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/departmentId');
  });
});
