import fs from 'node:fs';
import path from 'node:path';
import type { AuditCatalogue } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../test/harness';
import { auditCatalogueOf } from '../app';
import { MODULES } from '../modules';
import { writeAudit } from './audit';
import { AuditCatalogueError, mergeAuditCatalogue, UndeclaredAuditError } from './audit-catalogue';
import { systemContext } from './context';

const SRC = path.resolve(import.meta.dirname, '..');
const catalogue = auditCatalogueOf(MODULES);
const CJK = /[\u4e00-\u9fff]/;

/** Every non-test source file of the server. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

/**
 * The audit actions the source names: the string literals in each `action: …` property (both
 * branches of a `a ? 'x.y' : 'x.z'`), and the fixed prefix of each template (`case.${step}`).
 */
function actionsInSource(): { literal: Map<string, string>; prefixes: Map<string, string> } {
  const literal = new Map<string, string>();
  const prefixes = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    const where = path.relative(SRC, file);
    for (const m of text.matchAll(/\baction:\s*([^\n]+)/g)) {
      const expr = m[1]!;
      for (const s of expr.matchAll(/'([a-z0-9_]+(?:\.[a-z0-9_]+)+)'/g)) literal.set(s[1]!, where);
      for (const s of expr.matchAll(/`([a-z0-9_]+(?:\.[a-z0-9_]+)*\.)\$\{/g)) prefixes.set(s[1]!, where);
    }
  }
  return { literal, prefixes };
}

describe('the audit catalogue', () => {
  it('declares every action the source passes to writeAudit, with a Chinese and an English label', () => {
    const { literal, prefixes } = actionsInSource();
    // The walk finds what it should: a direct write and a workflow template.
    expect(literal.get('case.report')).toBe(path.join('modules', 'cases', 'service.ts'));
    expect(prefixes.has('admission_request.')).toBe(true);
    const undeclared = [...literal].filter(([a]) => !catalogue.actions[a]).map(([a, f]) => `${a} (${f})`);
    expect(undeclared).toEqual([]);
    for (const [prefix, file] of prefixes) {
      expect(
        Object.keys(catalogue.actions).some((a) => a.startsWith(prefix)),
        `${prefix}… (${file})`,
      ).toBe(true);
    }
  });

  it('labels every action, entity type and field in government Chinese and in English', () => {
    expect(Object.keys(catalogue.actions).length).toBeGreaterThan(100);
    for (const kind of ['actions', 'entityTypes', 'fields'] as const) {
      for (const [code, label] of Object.entries(catalogue[kind])) {
        expect(CJK.test(label['zh-CN']), `${kind} ${code}: ${label['zh-CN']}`).toBe(true);
        expect(CJK.test(label.en), `${kind} ${code}: ${label.en}`).toBe(false);
        expect(label.en.trim().length, `${kind} ${code}`).toBeGreaterThan(0);
      }
    }
    expect(catalogue.actions['case.report']!['zh-CN']).toBe('上报案件');
    expect(catalogue.actions['admission_request.approve_with_conditions']!['zh-CN']).toBe('附条件准入');
    expect(catalogue.fields.squadId!['zh-CN']).toBe('中队');
    expect(catalogue.fields.progressPercent!['zh-CN']).toBe('办理进度（%）');
    // A change of notification settings names events by code: the event's name is the label.
    expect(catalogue.fields['cases.step']).toBeDefined();
  });

  it('refuses two modules giving one code different words, and a code without a label in each language', () => {
    const a = { fields: { status: { 'zh-CN': '状态', en: 'Status' } } };
    expect(
      mergeAuditCatalogue([
        { owner: 'a', audit: a },
        { owner: 'b', audit: a },
      ]).fields.status,
    ).toEqual(a.fields.status);
    expect(() =>
      mergeAuditCatalogue([
        { owner: 'a', audit: a },
        { owner: 'b', audit: { fields: { status: { 'zh-CN': '情况', en: 'Status' } } } },
      ]),
    ).toThrow(AuditCatalogueError);
    expect(() =>
      mergeAuditCatalogue([{ owner: 'a', audit: { actions: { 'x.y': { 'zh-CN': '', en: 'X' } } } }]),
    ).toThrow(/zh-CN and an en label/);
  });
});

describe('GET /api/v1/audit/catalogue and writeAudit under test', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the merged catalogue to holders of audit.read only', async () => {
    expect((await new Client(t.app).get('/api/v1/audit/catalogue')).statusCode).toBe(401);
    const resident = await residentLogin(t, '13800000001');
    expect((await resident.get('/api/v1/audit/catalogue')).statusCode).toBe(403);
    const admin = await loginAs(t.app, 'admin');
    const res = await admin.get('/api/v1/audit/catalogue');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as AuditCatalogue;
    expect(body).toEqual(catalogue);
    expect(body.actions['application.submit']).toEqual({
      'zh-CN': '提交办件申请',
      en: 'Submit an application',
    });
    expect(body.entityTypes.case).toEqual({ 'zh-CN': '案件', en: 'Case' });
  });

  it('refuses to write an undeclared action, entity type or changed field, and writes nothing', async () => {
    const write = (input: Parameters<typeof writeAudit>[2]) =>
      t.database.db.transaction((tx) => writeAudit(tx, systemContext(), input));
    await expect(write({ action: 'case.undeclared', entityType: 'case', entityId: 'x' })).rejects.toThrow(
      UndeclaredAuditError,
    );
    await expect(write({ action: 'case.report', entityType: 'cave', entityId: 'x' })).rejects.toThrow(
      /entity type "cave"/,
    );
    await expect(
      write({ action: 'case.report', entityType: 'case', entityId: 'x', after: { colour: 'red' } }),
    ).rejects.toThrow(/field "colour"/);
    await expect(
      write({ action: 'case.report', entityType: 'case', entityId: 'x', after: { squadId: 's' } }),
    ).resolves.toBeUndefined();
  });
});
