import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { auditLog } from '../../core/schema';
import { accounts, privacyConsents } from './schema';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const NOTICE = (mark: string) => ({
  texts: {
    'zh-CN': {
      title: `个人信息处理规则 ${mark}`,
      body: `## 一、我们收集哪些信息\n- 手机号码：用于登录（${mark}）`,
    },
    en: {
      title: `Privacy rules ${mark}`,
      body: `## 1. What we collect\n- Mobile number: to sign in (${mark})`,
    },
  },
  summary: `调整了保存期限（${mark}）`,
});

describe('the privacy notice and consent at sign-in', () => {
  it('publishes the shipped notice as version 1, readable without signing in', async () => {
    const res = await new Client(t.app).get('/api/v1/privacy-notice');
    expect(res.statusCode).toBe(200);
    const notice = res.json();
    expect(notice.version).toBe(1);
    expect(notice.texts['zh-CN'].title).toContain('个人信息处理规则');
    expect(notice.texts['zh-CN'].body).toContain('罗江区');
    expect(notice.texts['zh-CN'].body).toMatch(/注销/);
    expect(notice.texts.en.body).toMatch(/close your account/);
  });

  it('asks a new resident to agree before any signed-in resident route, and records the agreement', async () => {
    const phone = '13911110001';
    const resident = await residentLogin(t, phone, { consent: false });
    const me = (await resident.get('/api/v1/me')).json();
    expect(me.privacy).toEqual({ currentVersion: 1, consentedVersion: null, consentRequired: true });

    for (const [method, url] of [
      ['GET', '/api/v1/messages'],
      ['GET', '/api/v1/cases/mine'],
      ['GET', '/api/v1/me/sessions'],
    ] as const) {
      const res = await resident.request({ method, url });
      expect(res.statusCode, url).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().code).toBe('consent-required');
    }
    const patched = await resident.patch('/api/v1/me', { displayName: '张三' });
    expect(patched.json().code).toBe('consent-required');
    // Public pages stay open with the session.
    expect((await resident.get('/api/v1/notices')).statusCode).toBe(200);

    const agreed = await resident.post(
      '/api/v1/me/privacy/consent',
      { version: 1 },
      { 'user-agent': 'TestPhone/1.0' },
    );
    expect(agreed.statusCode, agreed.body).toBe(200);
    expect(agreed.json()).toMatchObject({ consentRequired: false, consentedVersion: 1 });
    expect((await resident.get('/api/v1/messages')).statusCode).toBe(200);

    const [account] = await t.database.db.select().from(accounts).where(eq(accounts.phone, phone));
    const rows = await t.database.db
      .select()
      .from(privacyConsents)
      .where(eq(privacyConsents.accountId, account!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: 1, userAgent: 'TestPhone/1.0' });
    expect(rows[0]!.ip).toBeTruthy();
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'privacy.consent'), eq(auditLog.entityId, account!.id)));
    expect(audit!.changes.privacyConsentVersion).toEqual({ before: null, after: 1 });
  });

  it('refuses a version that is not the one in force, naming the current one', async () => {
    const resident = await residentLogin(t, '13911110002', { consent: false });
    const res = await resident.post('/api/v1/me/privacy/consent', { version: 7 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'privacy-version-stale', currentVersion: 1 });
    expect((await resident.get('/api/v1/messages')).json().code).toBe('consent-required');
  });

  it('never asks staff', async () => {
    const admin = await loginAs(t.app, 'hanlin-secretary');
    expect((await admin.get('/api/v1/me')).json().privacy).toBeNull();
    expect((await admin.post('/api/v1/me/privacy/consent', { version: 1 })).statusCode).toBe(403);
  });

  it('lets only privacy.manage publish a version, and checks its fields', async () => {
    expect((await new Client(t.app).post('/api/v1/privacy-notices', NOTICE('x'))).statusCode).toBe(401);
    const secretary = await loginAs(t.app, 'hanlin-secretary');
    expect((await secretary.post('/api/v1/privacy-notices', NOTICE('x'))).statusCode).toBe(403);
    expect((await secretary.get('/api/v1/privacy-notices')).statusCode).toBe(403);
    const resident = await residentLogin(t, '13911110003');
    expect((await resident.post('/api/v1/privacy-notices', NOTICE('x'))).statusCode).toBe(403);
    const admin = await loginAs(t.app, 'admin');
    const bad = await admin.post('/api/v1/privacy-notices', {
      texts: { 'zh-CN': NOTICE('x').texts['zh-CN'] },
      summary: '缺英文',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('body/texts/en');
  });

  it('asks every resident again after a new version, without a code change', async () => {
    const resident = await residentLogin(t, '13911110004');
    expect((await resident.get('/api/v1/messages')).statusCode).toBe(200);

    const admin = await loginAs(t.app, 'admin');
    const published = await admin.post('/api/v1/privacy-notices', NOTICE('v2'));
    expect(published.statusCode, published.body).toBe(201);
    expect(published.json()).toMatchObject({ version: 2, summary: '调整了保存期限（v2）' });
    expect(published.json().publishedBy.displayName).toBeTruthy();
    const list = (await admin.get('/api/v1/privacy-notices')).json().items;
    expect(list.map((n: { version: number }) => n.version)).toEqual([2, 1]);
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'privacy_notice.publish'));
    expect(audit!.changes.version).toEqual({ before: 1, after: 2 });

    // The same session, the very next request: asked again.
    const refused = await resident.get('/api/v1/messages');
    expect(refused.json().code).toBe('consent-required');
    const mine = (await resident.get('/api/v1/me/privacy')).json();
    expect(mine).toMatchObject({ consentRequired: true, consentedVersion: 1, current: { version: 2 } });
    expect((await resident.post('/api/v1/me/privacy/consent', { version: 1 })).json().code).toBe(
      'privacy-version-stale',
    );
    const again = await resident.post('/api/v1/me/privacy/consent', { version: 2 });
    expect(again.json().consents.map((c: { version: number }) => c.version)).toEqual([1, 2]);
    expect((await resident.get('/api/v1/messages')).statusCode).toBe(200);
    expect((await new Client(t.app).get('/api/v1/privacy-notice')).json().version).toBe(2);
  });

  it('lets a resident who does not agree sign out', async () => {
    const resident = await residentLogin(t, '13911110005', { consent: false });
    expect((await resident.post('/api/v1/auth/logout')).statusCode).toBe(204);
    expect((await resident.get('/api/v1/me')).statusCode).toBe(401);
  });
});
