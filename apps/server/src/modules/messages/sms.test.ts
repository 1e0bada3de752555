import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { unitByName } from '../identity/fixtures';
import { JPEG, material, multipart } from '../service-guide/applications-fixtures';

/**
 * Notification texts go through the same sender as sign-in codes: a status change of a 办件
 * reaches the resident's phone, signed 【邻里+】, and the dev endpoint shows what was sent.
 */
let t: TestApp;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-sms-'));
beforeAll(async () => {
  t = await buildTestApp({ dataDir });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function apply(resident: Client) {
  const anon = new Client(t.app);
  const items = (await anon.get(`/api/v1/service-items?q=${encodeURIComponent('低保')}`)).json().items;
  const dibao = items.find((i: { name: string }) => i.name === '最低生活保障');
  const jiahe = (await unitByName(t.database.db, '家和社区')).id;
  const body = multipart([
    { name: 'itemId', value: dibao.id },
    { name: 'orgUnitId', value: jiahe },
    ...material('身份证', 'id.jpg', JPEG, 'image/jpeg'),
  ]);
  const res = await resident.post('/api/v1/applications', body.payload, body.headers);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

describe('notification texts', () => {
  it('texts the resident on each status change through the sign-in code sender', async () => {
    const phone = '13800002101';
    const resident = await residentLogin(t, phone);
    const worker = await loginAs(t.app, 'jiahe-worker');
    const id = await apply(resident);
    // Their own submission is answered on screen; texts are for what others do.
    expect(t.otp.texts(phone)).toEqual([]);

    const res = await worker.post(`/api/v1/applications/${id}/request-more`, {
      missingMaterials: ['户口簿'],
    });
    expect(res.statusCode, res.body).toBe(200);
    const texts = t.otp.texts(phone);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^【邻里\+】您申请的“最低生活保障”需要补正材料：户口簿/);
    expect(texts[0]).toContain('户口簿');

    // Nobody else's phone got anything, and the dev endpoint shows the same list.
    expect(t.otp.texts('13800000001')).toEqual([]);
    const dev = await new Client(t.app).get(`/api/v1/dev/sms/${phone}`);
    expect(dev.json()).toEqual({ phone, texts });
  });

  it('keeps the step when the sender fails: the in-app message is the record', async () => {
    const phone = '13800002102';
    const resident = await residentLogin(t, phone);
    const worker = await loginAs(t.app, 'jiahe-worker');
    const id = await apply(resident);
    const original = t.otp.sendText.bind(t.otp);
    t.otp.sendText = async () => {
      throw new Error('provider down');
    };
    try {
      const res = await worker.post(`/api/v1/applications/${id}/pre-review`, {});
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().status).toBe('pre_review');
    } finally {
      t.otp.sendText = original;
    }
    const inbox = (await resident.get('/api/v1/messages?limit=50')).json().items as { title: string }[];
    expect(inbox.map((m) => m.title)).toContain('办件已预审：最低生活保障');
    expect(t.otp.texts(phone)).toEqual([]);
    // The next step is texted again once the provider is back.
    expect((await worker.post(`/api/v1/applications/${id}/accept`, {})).statusCode).toBe(200);
    const after = t.otp.texts(phone);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/^【邻里\+】您申请的“最低生活保障”已受理/);
  });
});

describe('the development texts endpoint', () => {
  it('answers an empty list for a number nothing was sent to, and 400 for a malformed number', async () => {
    const anon = new Client(t.app);
    expect((await anon.get('/api/v1/dev/sms/13900009999')).json()).toEqual({
      phone: '13900009999',
      texts: [],
    });
    expect((await anon.get('/api/v1/dev/sms/not-a-phone')).statusCode).toBe(400);
  });

  it('does not exist in production', async () => {
    const prod = await buildTestApp({ env: 'production', dev: false, demo: false, smsSender: 'none' });
    try {
      expect((await new Client(prod.app).get('/api/v1/dev/sms/13900009999')).statusCode).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
