import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { verifyAuditChain } from '../../core/audit';
import type { PersonalDataSource } from '../../core/personal-data';
import { auditLog } from '../../core/schema';
import { POSTERS, reportCase, stepCase } from '../cases/fixtures';
import { caseFollowers, casePhotos, cases } from '../cases/schema';
import { messages } from '../messages/schema';
import { bringRequired, JPEG, material, multipart, PNG } from '../service-guide/applications-fixtures';
import { applicationFiles, applications } from '../service-guide/applications-schema';
import { serviceChecklists } from '../service-guide/checklist-schema';
import { serviceItems } from '../service-guide/schema';
import { unitByName } from './fixtures';
import { accounts, sessions } from './schema';

const clock = new FakeClock(new Date('2026-06-02T01:00:00Z'));
let t: TestApp;
let dataDir: string;
const A = '13922220001';
const B = '13922220002';
let a: Client;
let b: Client;
let aId: string;
let aCase: string;
let bCase: string;
let applicationId: string;
let dibaoId: string;
let bId: string;
/** Two of the item's material names: A ticks the first, B the second. */
let ticked: [string, string];

/** The zip's entries, name → bytes. */
function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const after = (ms: number) => clock.advance(ms);

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-pipl-'));
  t = await buildTestApp({ dataDir }, { clock });
  const db = t.database.db;
  const jiahe = await unitByName(db, '家和社区');
  const hanlin = await unitByName(db, '翰林社区');
  const [dibao] = await db
    .select({ id: serviceItems.id })
    .from(serviceItems)
    .where(eq(serviceItems.name, '最低生活保障'));
  dibaoId = dibao!.id;
  a = await residentLogin(t, A);
  b = await residentLogin(t, B);
  aId = (await a.get('/api/v1/me')).json().id;
  expect((await a.patch('/api/v1/me', { homeOrgUnitId: hanlin.id })).statusCode).toBe(200);
  aCase = await reportCase(a, POSTERS);
  bCase = await reportCase(b, { ...POSTERS, description: '乙居民：路灯不亮' });
  // B's case goes on the public board; A follows it (我也遇到).
  const secretary = await loginAs(t.app, 'hanlin-secretary');
  await stepCase(secretary, bCase, 'register');
  const follow = await a.post(`/api/v1/cases/${bCase}/follow`);
  expect(follow.statusCode, follow.body).toBeLessThan(300);
  const body = multipart([
    { name: 'itemId', value: dibaoId },
    { name: 'orgUnitId', value: jiahe.id },
    { name: 'note', value: '甲居民的低保申请' },
    ...material('身份证', 'id.jpg', JPEG, 'image/jpeg'),
    ...material('户口簿', 'hukou.png', PNG),
    ...(await bringRequired(t.database.db, dibaoId)),
  ]);
  const applied = await a.post('/api/v1/applications', body.payload, body.headers);
  expect(applied.statusCode, applied.body).toBe(201);
  applicationId = applied.json().id;
  bId = (await b.get('/api/v1/me')).json().id;
  const names = (await a.get(`/api/v1/service-items/${dibaoId}`))
    .json()
    .guide.materials.map((m: { name: string }) => m.name);
  ticked = [names[0], names[1]];
  const put = (c: Client, checked: string[]) =>
    c.request({ method: 'PUT', url: `/api/v1/me/checklists/${dibaoId}`, payload: { checked } });
  expect((await put(a, [ticked[0]])).json().checked).toEqual([ticked[0]]);
  expect((await put(b, [ticked[1]])).json().checked).toEqual([ticked[1]]);
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /me/data-export', () => {
  it('streams a zip of the resident’s own data and files, and nobody else’s', async () => {
    const res = await a.get('/api/v1/me/data-export');
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="linli-my-data-\d{8}\.zip"$/);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const entries = await unzip(res.rawPayload);
    const json = (name: string) => JSON.parse(entries.get(name)!.toString('utf8'));
    expect([...entries.keys()]).toEqual(
      expect.arrayContaining([
        'README.txt',
        'account.json',
        'privacy-consents.json',
        'sessions.json',
        'activity.json',
        'applications.json',
        'checklists.json',
        'office-hour-bookings.json',
        'cases.json',
        'messages.json',
      ]),
    );
    expect(json('account.json')).toMatchObject({ id: aId, phone: A, homeCommunity: { name: '翰林社区' } });
    expect(json('privacy-consents.json')).toEqual([expect.objectContaining({ version: 1 })]);
    expect(json('sessions.json').length).toBeGreaterThan(0);
    expect(json('activity.json').map((r: { action: string }) => r.action)).toEqual(
      expect.arrayContaining(['account.register', 'privacy.consent', 'account.update_self']),
    );

    const [mine] = await t.database.db.select().from(cases).where(eq(cases.id, aCase));
    const [theirs] = await t.database.db.select().from(cases).where(eq(cases.id, bCase));
    const casesJson = json('cases.json');
    expect(casesJson.reported.map((c: { number: string }) => c.number)).toEqual([mine!.number]);
    expect(casesJson.followed.map((c: { number: string }) => c.number)).toEqual([theirs!.number]);
    // The photo in the zip is the stored file, byte for byte.
    const [photo] = await t.database.db.select().from(casePhotos).where(eq(casePhotos.caseId, aCase));
    expect(casesJson.photos).toHaveLength(1);
    const zipped = entries.get(casesJson.photos[0].file)!;
    expect(sha(zipped)).toBe(sha(fs.readFileSync(path.join(dataDir, photo!.storedPath))));

    const apps = json('applications.json');
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({
      id: applicationId,
      item: { name: '最低生活保障' },
      note: '甲居民的低保申请',
    });
    expect(apps[0].materials.map((m: { material: string }) => m.material)).toEqual(['身份证', '户口簿']);
    for (const m of apps[0].materials) expect(entries.get(m.file)!.length).toBe(m.size);
    expect(json('checklists.json')).toEqual([expect.objectContaining({ checked: [ticked[0]] })]);

    // Nothing of resident B: not their number, their case, their checklist.
    const allText = [...entries.entries()]
      .filter(([n]) => n.endsWith('.json'))
      .map(([, v]) => v.toString('utf8'))
      .join('\n');
    expect(allText).not.toContain(B);
    expect(allText).not.toContain('乙居民');
    expect(allText).not.toContain(bId);

    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'account.data_export'), eq(auditLog.entityId, aId)));
    expect(audit!.changes._!.after).toMatchObject({ files: 3 });
  });

  it('is only for the resident themself', async () => {
    expect((await new Client(t.app).get('/api/v1/me/data-export')).statusCode).toBe(401);
    const staff = await loginAs(t.app, 'hanlin-secretary');
    expect((await staff.get('/api/v1/me/data-export')).statusCode).toBe(403);
  });
});

describe('closing the account (注销)', () => {
  const failing: PersonalDataSource = {
    module: 'test-failing',
    collect: async () => [],
    closureBlockers: async () => [],
    close: async () => {
      throw new Error('a module failed half-way through the closure');
    },
  };

  async function closureCode(client: Client, phone: string) {
    after(61_000);
    const sent = await client.post('/api/v1/me/closure/code');
    expect(sent.statusCode, sent.body).toBe(200);
    return t.otp.latest(phone)!.code;
  }

  it('is blocked while an application is in progress', async () => {
    const preview = (await a.get('/api/v1/me/closure')).json();
    expect(preview).toEqual({
      phone: '139****0001',
      blockers: [{ code: 'applications-in-progress', count: 1 }],
    });
    const code = await closureCode(a, A);
    const res = await a.post('/api/v1/me/closure', { code });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'account-closure-blocked',
      blockers: [{ code: 'applications-in-progress', count: 1 }],
    });
    const withdrawn = await a.post(`/api/v1/applications/${applicationId}/withdraw`, {});
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect((await a.get('/api/v1/me/closure')).json().blockers).toEqual([]);
  });

  it('needs the code sent for closing: a wrong code or a sign-in code does not close it', async () => {
    await closureCode(a, A);
    const wrong = await a.post('/api/v1/me/closure', {
      code: '000000' === t.otp.latest(A)!.code ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('otp-invalid');
    after(61_000);
    await new Client(t.app).post('/api/v1/auth/otp', { phone: A });
    const signInCode = t.otp.latest(A)!.code;
    const res = await a.post('/api/v1/me/closure', { code: signInCode });
    expect(res.statusCode).toBe(400);
    expect((await a.get('/api/v1/me')).statusCode).toBe(200);
  });

  it('leaves nothing half-done when a module fails in the middle of the closure', async () => {
    const code = await closureCode(a, A);
    t.app.personalData.push(failing);
    try {
      const res = await a.post('/api/v1/me/closure', { code });
      expect(res.statusCode).toBe(500);
    } finally {
      t.app.personalData.splice(t.app.personalData.indexOf(failing), 1);
    }
    const db = t.database.db;
    const [acc] = await db.select().from(accounts).where(eq(accounts.id, aId));
    expect(acc).toMatchObject({ status: 'active', phone: A, closedAt: null });
    expect((await a.get('/api/v1/me')).json().phone).toBe(A);
    expect(
      await db.select().from(serviceChecklists).where(eq(serviceChecklists.accountId, aId)),
    ).toHaveLength(1);
    expect(await db.select().from(caseFollowers).where(eq(caseFollowers.accountId, aId))).toHaveLength(1);
    const files = await db
      .select()
      .from(applicationFiles)
      .where(eq(applicationFiles.applicationId, applicationId));
    expect(files.every((f) => f.erasedAt === null && fs.existsSync(path.join(dataDir, f.storedPath)))).toBe(
      true,
    );
    expect(await db.select().from(auditLog).where(eq(auditLog.action, 'account.close'))).toHaveLength(0);
    // The code was not used up: the transaction that consumed it rolled back.
    const retry = await a.post('/api/v1/me/closure', { code });
    expect(retry.statusCode, retry.body).toBe(204);
  });

  it('erased the person and kept the community’s records, in one audited step', async () => {
    const db = t.database.db;
    const [acc] = await db.select().from(accounts).where(eq(accounts.id, aId));
    expect(acc).toMatchObject({
      status: 'closed',
      phone: null,
      displayName: '已注销用户',
      orgUnitId: null,
      lastSignInAt: null,
    });
    expect(acc!.closedAt).toEqual(clock.now());
    // Signed out everywhere, the sessions' addresses and devices forgotten.
    expect((await a.get('/api/v1/me')).statusCode).toBe(401);
    const sess = await db.select().from(sessions).where(eq(sessions.accountId, aId));
    expect(sess.every((s) => s.revokedAt !== null && s.ip === null && s.userAgent === null)).toBe(true);
    // Kept: the case and its photo (evidence), the application record.
    const [kept] = await db.select().from(cases).where(eq(cases.id, aCase));
    expect(kept!.reporterId).toBe(aId);
    const [photo] = await db.select().from(casePhotos).where(eq(casePhotos.caseId, aCase));
    expect(fs.existsSync(path.join(dataDir, photo!.storedPath))).toBe(true);
    const [app] = await db.select().from(applications).where(eq(applications.id, applicationId));
    expect(app!.status).toBe('withdrawn');
    // Erased: material files of the finished application, checklists, follows, messages.
    const files = await db
      .select()
      .from(applicationFiles)
      .where(eq(applicationFiles.applicationId, applicationId));
    expect(files).toHaveLength(2);
    for (const f of files) {
      expect(f.erasedAt).not.toBeNull();
      expect(fs.existsSync(path.join(dataDir, f.storedPath))).toBe(false);
    }
    expect(
      await db.select().from(serviceChecklists).where(eq(serviceChecklists.accountId, aId)),
    ).toHaveLength(0);
    expect(await db.select().from(caseFollowers).where(eq(caseFollowers.accountId, aId))).toHaveLength(0);
    expect(await db.select().from(messages).where(eq(messages.accountId, aId))).toHaveLength(0);
    // B's data is untouched.
    expect(
      await db.select().from(serviceChecklists).where(eq(serviceChecklists.accountId, bId)),
    ).toHaveLength(1);
    expect((await b.get('/api/v1/me')).json().phone).toBe(B);

    const [audit] = await db.select().from(auditLog).where(eq(auditLog.action, 'account.close'));
    expect(audit!.actorId).toBe(aId);
    expect(audit!.changes.phone).toEqual({ before: '139****0001', after: null });
    expect(JSON.stringify(audit!.changes)).not.toContain(A);
    expect(audit!.changes._!.after).toMatchObject({
      'service-guide': { applicationFilesErased: 2, checklistsDeleted: 1 },
      cases: { casesUnfollowed: 1, casePhotosKept: 1 },
    });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('shows staff the kept case without the person', async () => {
    const secretary = await loginAs(t.app, 'hanlin-secretary');
    const res = await secretary.get(`/api/v1/cases/${aCase}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().reporterPhone).toBeNull();
    expect(JSON.stringify(res.json())).not.toContain(A);
  });

  it('frees the number: signing in with it again makes a new account that is asked to agree', async () => {
    after(61_000);
    const again = await residentLogin(t, A, { consent: false });
    const me = (await again.get('/api/v1/me')).json();
    expect(me.id).not.toBe(aId);
    expect(me.phone).toBe(A);
    expect(me.privacy.consentRequired).toBe(true);
    expect(me.homeOrgUnit).toBeNull();
  });

  it('does not close staff accounts this way', async () => {
    const staff = await loginAs(t.app, 'jiahe-worker');
    expect((await staff.post('/api/v1/me/closure', { code: '123456' })).statusCode).toBe(403);
    expect((await staff.post('/api/v1/me/closure/code')).statusCode).toBe(403);
  });
});
