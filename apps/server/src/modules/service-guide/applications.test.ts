import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Application, ApplicationPage, MessagePage } from '@linli/contracts';
import { and, eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { buildResident, buildStaff, sessionAs, unitByName } from '../identity/fixtures';
import { departments } from '../identity/schema';
import {
  bring,
  JPEG,
  material,
  multipart,
  type Part,
  PDF,
  PNG,
  requiredMaterials,
} from './applications-fixtures';
import { beijingTime, loadCalendar } from '../calendar';
import { checkMaterials } from './applications-service';
import { serviceOfferings } from './schema';

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

let t: TestApp;
let resident: Client;
let worker: Client;
let hanlin: Client;
let minzheng: Client;
let otherDept: Client;
let otherResident: Client;
let jiahe: string;
let hanlinId: string;
let dibao: { id: string; name: string; mode: string };
let direct: { id: string; name: string; mode: string };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-apps-'));

beforeAll(async () => {
  t = await buildTestApp({ dataDir });
  resident = await residentLogin(t, '13800000001');
  worker = await loginAs(t.app, 'jiahe-worker');
  hanlin = await loginAs(t.app, 'hanlin-secretary');
  minzheng = await loginAs(t.app, 'minzheng-staff');
  const db = t.database.db;
  jiahe = (await unitByName(db, '家和社区')).id;
  hanlinId = (await unitByName(db, '翰林社区')).id;
  const district = await unitByName(db, '罗江区');
  const [other] = await db
    .select()
    .from(departments)
    .where(and(eq(departments.districtId, district.districtId), ne(departments.name, '罗江区民政局')))
    .limit(1);
  const staff = await buildStaff(db, district, [{ role: 'department_staff', unit: district }], {
    departmentId: other!.id,
  });
  otherDept = await sessionAs(t.app, staff.id);
  otherResident = await sessionAs(t.app, (await buildResident(db, district.districtId, null)).id);
  const found = (
    await (await new Client(t.app).get(`/api/v1/service-items?q=${encodeURIComponent('低保')}`)).json()
  ).items as { id: string; name: string; mode: string; department: string }[];
  dibao = found.find((i) => i.name === '最低生活保障' && i.department === '罗江区民政局')!;
  expect(dibao?.mode).toBe('proxy');
  direct = (await (await new Client(t.app).get('/api/v1/service-items?mode=direct&limit=1')).json()).items[0];
  for (const item of [dibao, direct]) required.set(item.id, await requiredMaterials(db, item.id));
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The required materials of each item, filled once (the tests below bring whatever they do not upload). */
const required = new Map<string, string[]>();

/**
 * Submits an application. Unless `bringing` says otherwise, every required material not uploaded
 * is marked as brought on the visit (the rule itself is tested under "required materials").
 */
const submit = (
  c: Client,
  fields: Record<string, string>,
  files: Part[] = [],
  headers: Record<string, string> = {},
  bringing?: string[],
) => {
  const uploaded = new Set(files.filter((f) => f.name === 'materialName').map((f) => f.value));
  const brought = bringing ?? (required.get(fields.itemId ?? '') ?? []).filter((m) => !uploaded.has(m));
  const body = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    ...bring(brought),
    ...files,
  ]);
  return c.post('/api/v1/applications', body.payload, { ...body.headers, ...headers });
};
const proxyFields = () => ({ itemId: dibao.id, orgUnitId: jiahe, note: '代办低保申请' });
const twoPhotos = () => [
  ...material('身份证', 'id.jpg', JPEG, 'image/jpeg'),
  ...material('户口簿', 'hukou.png', PNG),
];

async function newApplication(): Promise<Application> {
  const res = await submit(resident, proxyFields(), twoPhotos());
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('POST /applications', () => {
  it('answers 401 without sign-in and 403 for staff', async () => {
    expect((await submit(new Client(t.app), proxyFields())).statusCode).toBe(401);
    expect((await submit(worker, proxyFields())).statusCode).toBe(403);
  });

  it('stores the files checked by content and lists them with authorised download links', async () => {
    const app = await newApplication();
    expect(app.status).toBe('submitted');
    expect(app.mode).toBe('proxy');
    expect(app.department?.name).toBe('罗江区民政局');
    // Files of one request share a timestamp: their order is not part of the contract.
    expect(app.files.map((f) => [f.materialName, f.mime]).sort()).toEqual(
      [
        ['身份证', 'image/jpeg'],
        ['户口簿', 'image/png'],
      ].sort(),
    );
    expect(app.abilities).toEqual(['withdraw']);
    const url = app.files.find((f) => f.mime === 'image/png')!.url;
    const own = await resident.get(url);
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-type']).toBe('image/png');
    expect(own.rawPayload.equals(PNG)).toBe(true);
    expect((await worker.get(url)).statusCode).toBe(200);
    expect((await hanlin.get(url)).statusCode).toBe(404);
    expect((await otherResident.get(url)).statusCode).toBe(404);
    expect((await new Client(t.app).get(url)).statusCode).toBe(401);
  });

  it('accepts a PDF', async () => {
    const res = await submit(resident, proxyFields(), material('申请书', 'form.pdf', PDF, 'application/pdf'));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().files[0].mime).toBe('application/pdf');
  });

  it('answers 400 naming a .jpg that is really text', async () => {
    const res = await submit(
      resident,
      proxyFields(),
      material('身份证', 'fake.jpg', Buffer.from('hello, not an image'), 'image/jpeg'),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'file-type', errors: [{ field: 'files/fake.jpg' }] });
  });

  it('answers 413 naming a file over 10 MB', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
    const res = await submit(resident, proxyFields(), material('照片', 'big.png', big));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'file-too-large', errors: [{ field: 'files/big.png' }] });
  });

  it('answers 400 naming the 21st file', async () => {
    const files = Array.from({ length: 21 }, (_, i) => material(`材料${i + 1}`, `p${i + 1}.png`, PNG)).flat();
    const res = await submit(resident, proxyFields(), files);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'too-many-files', errors: [{ field: 'files/p21.png' }] });
  });

  it('answers 422 for an item the community does not offer, 404 for an unknown item', async () => {
    await t.database.db
      .update(serviceOfferings)
      .set({ active: false })
      .where(and(eq(serviceOfferings.orgUnitId, hanlinId), eq(serviceOfferings.itemId, dibao.id)));
    const res = await submit(resident, { ...proxyFields(), orgUnitId: hanlinId });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('item-not-offered');
    expect(res.json().detail).toContain('翰林社区');
    const unknown = await submit(resident, {
      ...proxyFields(),
      itemId: '0190a5b4-0000-7000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('asks a direct item for an appointment at one of the service room’s times on a working day', async () => {
    const res = await submit(resident, { itemId: direct.id, orgUnitId: jiahe });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body/appointmentAt');
    const calendar = await loadCalendar(
      t.database.db,
      (await unitByName(t.database.db, '罗江区')).districtId,
    );
    const day = calendar.nextWorkingDay(new Date());
    const refused = async (appointmentAt: string, code: string) => {
      const r = await submit(resident, { itemId: direct.id, orgUnitId: jiahe, appointmentAt });
      expect(r.statusCode, `${appointmentAt}: ${r.body}`).toBe(400);
      expect(r.json().errors[0]).toMatchObject({ field: 'body/appointmentAt', code });
    };
    await refused(beijingTime(day, '12:30').toISOString(), 'slot');
    await refused(beijingTime(day, '09:10').toISOString(), 'slot');
    await refused(beijingTime('2099-01-05', '09:30').toISOString(), 'maximum');
    let off = day;
    while (calendar.isWorkingDay(off)) off = nextDay(off);
    await refused(beijingTime(off, '09:30').toISOString(), 'not-working-day');

    const at = beijingTime(day, '09:30').toISOString();
    const ok = await submit(resident, { itemId: direct.id, orgUnitId: jiahe, appointmentAt: at });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ mode: 'direct', department: null, appointmentAt: at });
  });

  it('replays the first application for the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'apply-dibao-0001' };
    const first = await submit(resident, proxyFields(), twoPhotos(), headers);
    const again = await submit(resident, proxyFields(), twoPhotos(), headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const mine = (await (
      await resident.get('/api/v1/applications/mine?limit=200')
    ).json()) as ApplicationPage;
    expect(mine.items.filter((a) => a.id === first.json().id)).toHaveLength(1);
    const other = await submit(resident, proxyFields(), [], { 'idempotency-key': 'apply-dibao-0002' });
    expect(other.json().id).not.toBe(first.json().id);
  });
});

describe('required materials', () => {
  const errorsOf = (res: { json(): unknown }) =>
    (res.json() as { errors: { field: string; code: string }[] }).errors.map((e) => e.field).sort();

  it('refuses a proxy application for 最低生活保障 with no materials, naming each required material', async () => {
    const names = required.get(dibao.id)!;
    expect(names).toHaveLength(5);
    const res = await submit(resident, proxyFields(), [], {}, []);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'materials-required' });
    expect(errorsOf(res)).toEqual(names.map((n) => `body/materials/${n}`).sort());
    for (const n of names) expect(res.json().detail).toContain(n);
  });

  it('names only the required materials neither uploaded nor marked as brought', async () => {
    const [first, second, ...rest] = required.get(dibao.id)!;
    const res = await submit(resident, proxyFields(), material(first!, 'id.jpg', JPEG, 'image/jpeg'), {}, [
      second!,
    ]);
    expect(res.statusCode).toBe(400);
    expect(errorsOf(res)).toEqual(rest.map((n) => `body/materials/${n}`).sort());
  });

  it('accepts each required material uploaded or marked as brought, and keeps what is to be brought', async () => {
    const [first, ...rest] = required.get(dibao.id)!;
    const res = await submit(
      resident,
      proxyFields(),
      material(first!, 'id.jpg', JPEG, 'image/jpeg'),
      {},
      rest,
    );
    expect(res.statusCode, res.body).toBe(201);
    const app = res.json() as Application;
    expect(app.materialsToBring).toEqual(rest);
    expect(app.files.map((f) => f.materialName)).toEqual([first]);
    // The community sees the same list.
    expect((await worker.get(`/api/v1/applications/${app.id}`)).json().materialsToBring).toEqual(rest);
  });

  it('accepts every required material uploaded, with nothing to bring', async () => {
    const files = required.get(dibao.id)!.flatMap((n, i) => material(n, `m${i}.png`, PNG));
    const res = await submit(resident, proxyFields(), files, {}, []);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().materialsToBring).toEqual([]);
  });

  it('checks a direct booking the same way', async () => {
    const calendar = await loadCalendar(
      t.database.db,
      (await unitByName(t.database.db, '罗江区')).districtId,
    );
    const day = calendar.nextWorkingDay(new Date());
    const fields = {
      itemId: direct.id,
      orgUnitId: jiahe,
      appointmentAt: beijingTime(day, '09:30').toISOString(),
    };
    const refused = await submit(resident, fields, [], {}, []);
    expect(refused.statusCode).toBe(400);
    expect(errorsOf(refused)).toEqual(
      required
        .get(direct.id)!
        .map((n) => `body/materials/${n}`)
        .sort(),
    );
    expect((await submit(resident, fields)).statusCode).toBe(201);
  });

  it('refuses marking as brought a material the item does not ask for', async () => {
    const res = await submit(resident, proxyFields(), [], {}, [...required.get(dibao.id)!, '结婚证']);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'validation',
      errors: [{ field: 'body/bringMaterials', code: 'enum' }],
    });
  });

  it('allows bringing only when the item asks for a visit', () => {
    const guide = {
      onsiteVisits: 0,
      materials: [
        { name: '身份证', form: '原件', copies: 1, required: true },
        { name: '照片', form: '原件', copies: 1, required: false },
      ],
    };
    expect(checkMaterials(guide, [], ['身份证']).problems).toEqual([
      {
        field: 'body/materials/身份证',
        message: expect.stringContaining('without a visit'),
        code: 'material-required',
      },
      {
        field: 'body/materials/身份证',
        message: '“身份证” is required: upload it',
        code: 'material-required',
      },
    ]);
    expect(checkMaterials(guide, [{ label: '身份证' }], []).problems).toEqual([]);
    expect(checkMaterials({ ...guide, onsiteVisits: 1 }, [], ['身份证'])).toMatchObject({
      problems: [],
      toBring: ['身份证'],
    });
  });
});

describe('receipt numbers', () => {
  it('gives every application its own receipt number, shown to the resident and the staff', async () => {
    const a = await newApplication();
    const b = await newApplication();
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
    expect(a.number).toMatch(new RegExp(`^510604-BJ${day}-\\d{4,}$`));
    expect(b.number).not.toBe(a.number);
    expect(Number(b.number.split('-').pop())).toBeGreaterThan(Number(a.number.split('-').pop()));
    const mine = (await (
      await resident.get('/api/v1/applications/mine?limit=100')
    ).json()) as ApplicationPage;
    expect(mine.items.find((x) => x.id === a.id)?.number).toBe(a.number);
    const queue = (await (await worker.get('/api/v1/applications?limit=100')).json()) as ApplicationPage;
    expect(queue.items.find((x) => x.id === b.id)?.number).toBe(b.number);
    expect((await worker.get(`/api/v1/applications/${a.id}`)).json().number).toBe(a.number);
    // The receipt message names it.
    const inbox = (await (await resident.get('/api/v1/messages?limit=200')).json()) as MessagePage;
    const receipt = inbox.items.find((m) => m.link === `/applications/${a.id}`);
    expect(receipt?.body).toContain(`受理编号 ${a.number}`);
  });
});

describe('the proxy flow', () => {
  it('goes from submission to a rating, with a message for each step', async () => {
    const app = await newApplication();
    const step = (c: Client, name: string, body: unknown = {}) =>
      c.post(`/api/v1/applications/${app.id}/${name}`, body);

    let res = await step(worker, 'request-more', { missingMaterials: ['低收入证明'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'needs_more', missingMaterials: ['低收入证明'] });
    expect((await resident.get(`/api/v1/applications/${app.id}`)).json().abilities).toEqual([
      'add_materials',
      'withdraw',
    ]);

    const more = multipart(material('低收入证明', 'income.pdf', PDF, 'application/pdf'));
    res = await resident.post(`/api/v1/applications/${app.id}/add-materials`, more.payload, more.headers);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'submitted', missingMaterials: [] });
    expect(res.json().files).toHaveLength(3);

    expect((await step(worker, 'pre-review')).json().status).toBe('pre_review');
    res = await step(worker, 'accept');
    expect(res.json().status).toBe('accepted');
    expect(res.json().dueAt).not.toBeNull();

    // Before forwarding, the department does not see it.
    expect((await minzheng.get(`/api/v1/applications/${app.id}`)).statusCode).toBe(404);
    expect((await step(worker, 'forward')).json().status).toBe('forwarded');

    // The community may no longer decide; another department does not even see it.
    expect((await step(worker, 'complete')).statusCode).toBe(403);
    expect((await otherDept.get(`/api/v1/applications/${app.id}`)).statusCode).toBe(404);
    expect((await step(otherDept, 'complete')).statusCode).toBe(404);
    const queue = (await (
      await minzheng.get('/api/v1/applications?status=forwarded')
    ).json()) as ApplicationPage;
    expect(queue.items.map((a) => a.id)).toContain(app.id);
    expect(
      ((await (await otherDept.get('/api/v1/applications')).json()) as ApplicationPage).items,
    ).toHaveLength(0);
    const seen = (await minzheng.get(`/api/v1/applications/${app.id}`)).json();
    expect(seen.abilities).toEqual(['complete', 'refuse']);
    expect((await minzheng.get(seen.files[0].url)).statusCode).toBe(200);

    expect((await step(minzheng, 'complete')).json().status).toBe('done');
    expect((await step(worker, 'result-ready', { delivery: 'pick_up' })).json()).toMatchObject({
      status: 'result_ready',
      delivery: 'pick_up',
    });
    expect((await step(worker, 'finish')).json().status).toBe('completed');
    res = await step(resident, 'rate', { rating: 5, comment: '不用跑腿，很满意' });
    expect(res.json()).toMatchObject({ status: 'rated', rating: 5, ratingComment: '不用跑腿，很满意' });
    expect(res.json().events.map((e: { step: string }) => e.step)).toEqual([
      'submit',
      'request_more',
      'add_materials',
      'pre_review',
      'accept',
      'forward',
      'complete',
      'result_ready',
      'finish',
      'rate',
    ]);

    const inbox = (await (await resident.get('/api/v1/messages?limit=200')).json()) as MessagePage;
    const mine = inbox.items.filter((m) => m.link === `/applications/${app.id}`);
    expect(mine).toHaveLength(10);
    expect(mine.map((m) => m.title.split('：')[0]).reverse()).toEqual([
      '办件已提交',
      '办件需补正材料',
      '办件已提交',
      '办件已预审',
      '办件已受理',
      '办件已转交部门办理',
      '办件已办结',
      '办件结果可领取',
      '办件已完成',
      '办件已评价',
    ]);
    // Every message names the application by its receipt number.
    for (const m of mine) expect(m.body, m.title).toContain(`受理编号`);
    for (const m of mine) expect(m.body, m.title).toContain(app.number);
    const read = await resident.post(`/api/v1/messages/${mine[0]!.id}/read`);
    expect(read.statusCode).toBe(200);
    expect(read.json().readAt).not.toBeNull();
    expect((await worker.post(`/api/v1/messages/${mine[0]!.id}/read`)).statusCode).toBe(404);
  });

  it('answers 409 naming the state for a step the state does not allow', async () => {
    const app = await newApplication();
    const res = await worker.post(`/api/v1/applications/${app.id}/accept`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'invalid-transition', state: 'submitted' });
    expect(res.json().detail).toContain('submitted');
  });

  it('answers 403 to a resident taking a staff step, 404 to staff of another community', async () => {
    const app = await newApplication();
    expect((await resident.post(`/api/v1/applications/${app.id}/pre-review`, {})).statusCode).toBe(403);
    expect((await hanlin.post(`/api/v1/applications/${app.id}/pre-review`, {})).statusCode).toBe(404);
    expect((await hanlin.get(`/api/v1/applications/${app.id}`)).statusCode).toBe(404);
    expect((await otherResident.post(`/api/v1/applications/${app.id}/withdraw`, {})).statusCode).toBe(404);
    expect((await resident.post(`/api/v1/applications/${app.id}/withdraw`, {})).json().status).toBe(
      'withdrawn',
    );
  });
});

describe('visits and the workbench', () => {
  it('flags the one-trip pledge after a second visit', async () => {
    const app = await newApplication();
    let res = await worker.post(`/api/v1/applications/${app.id}/visits`, { note: '递交材料' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ visits: 1, multipleTrips: false });
    res = await worker.post(`/api/v1/applications/${app.id}/visits`, { note: '补交原件' });
    expect(res.json()).toMatchObject({ visits: 2, multipleTrips: true });
    expect(res.json().visitLog).toHaveLength(2);
    expect((await hanlin.post(`/api/v1/applications/${app.id}/visits`, {})).statusCode).toBe(404);
    expect((await resident.post(`/api/v1/applications/${app.id}/visits`, {})).statusCode).toBe(403);
  });

  it('lists only applications in scope, pages with a cursor and masks names', async () => {
    const all = (await (await worker.get('/api/v1/applications?limit=200')).json()) as ApplicationPage;
    expect(all.items.length).toBeGreaterThan(3);
    expect(all.items.every((a) => a.orgUnit.name === '家和社区')).toBe(true);
    expect(all.items.every((a) => a.resident.includes('*'))).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await worker.get(`/api/v1/applications?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const p = res.json() as ApplicationPage;
      seen.push(...p.items.map((a) => a.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((a) => a.id));
    const other = (await (await hanlin.get('/api/v1/applications')).json()) as ApplicationPage;
    expect(other.items.filter((a) => a.orgUnit.name === '家和社区')).toHaveLength(0);
    expect((await resident.get('/api/v1/applications')).statusCode).toBe(403);
    expect((await new Client(t.app).get('/api/v1/applications')).statusCode).toBe(401);
    expect((await worker.get('/api/v1/applications?cursor=nonsense')).statusCode).toBe(400);
  });
});
