import type { CaseCategory, CaseCategoryList } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';

/**
 * Disabled categories through HTTP: the public list (the resident picker) leaves them out; the
 * district admin (cases.manage) lists them with `includeDisabled=true` and re-enables them; anyone
 * else asking for them is refused with a problem naming the query field.
 */

let t: TestApp;
let admin: Client;
let resident: Client;
let squadMember: Client;
let secretary: Client;
let anonymous: Client;
const CODE = '0202';
const LIST = '/api/v1/case-categories';
const ALL = `${LIST}?includeDisabled=true`;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAs(t.app, 'admin');
  squadMember = await loginAs(t.app, 'hanlin-squad1');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  resident = await residentLogin(t, '13800000001');
  anonymous = new Client(t.app);
});
afterAll(() => t.close());

async function list(c: Client, url = LIST): Promise<CaseCategory[]> {
  const res = await c.get(url);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as CaseCategoryList).items;
}
const codes = (items: CaseCategory[]) => items.map((c) => c.code);
const setEnabled = (enabled: boolean) =>
  admin.request({ method: 'PATCH', url: `${LIST}/${CODE}`, payload: { enabled } });

function problem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  return res.json() as { status: number; code: string; errors?: { field: string; code?: string }[] };
}

describe('disabled case categories', () => {
  it('leaves a disabled category out of the public list and shows it to the district admin', async () => {
    const before = await list(anonymous);
    expect(codes(before)).toContain(CODE);
    expect(before.every((c) => c.enabled)).toBe(true);

    const res = await setEnabled(false);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ code: CODE, enabled: false });

    for (const c of [anonymous, resident, squadMember, admin])
      expect(codes(await list(c))).not.toContain(CODE);
    // `includeDisabled=false` is the public list.
    expect(codes(await list(anonymous, `${LIST}?includeDisabled=false`))).not.toContain(CODE);

    const all = await list(admin, ALL);
    expect(all.find((c) => c.code === CODE)).toMatchObject({ enabled: false });
    // Everything else is there too, in the same order as the public list.
    expect(codes(all).filter((c) => c !== CODE)).toEqual(codes(await list(admin)));
  });

  it.each([
    ['a resident', () => resident],
    ['a squad member', () => squadMember],
    ['a community secretary', () => secretary],
  ])('refuses the disabled categories to %s with 403 naming the query field', async (_who, who) => {
    const res = await who().get(ALL);
    expect(res.statusCode, res.body).toBe(403);
    const p = problem(res);
    expect(p.code).toBe('forbidden');
    expect(p.errors).toContainEqual(expect.objectContaining({ field: 'querystring/includeDisabled' }));
    expect(res.body).not.toContain(`"code":"${CODE}"`);
  });

  it('asks an anonymous caller for the disabled categories to sign in', async () => {
    const res = await anonymous.get(ALL);
    expect(res.statusCode, res.body).toBe(401);
    expect(problem(res).code).toBe('unauthenticated');
  });

  it('refuses a value that is not a boolean with 400 naming the field', async () => {
    const res = await admin.get(`${LIST}?includeDisabled=maybe`);
    expect(res.statusCode, res.body).toBe(400);
    const p = problem(res);
    expect(p.code).toBe('validation');
    expect(p.errors).toContainEqual(expect.objectContaining({ field: 'querystring/includeDisabled' }));
  });

  it('puts a re-enabled category back in the public list', async () => {
    const res = await setEnabled(true);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ code: CODE, enabled: true });
    expect(codes(await list(anonymous))).toContain(CODE);
    expect(codes(await list(resident))).toContain(CODE);
    expect((await list(admin, ALL)).find((c) => c.code === CODE)).toMatchObject({ enabled: true });
  });

  it('lets only cases.manage change the enabled flag', async () => {
    const res = await squadMember.request({
      method: 'PATCH',
      url: `${LIST}/${CODE}`,
      payload: { enabled: false },
    });
    expect(res.statusCode, res.body).toBe(403);
    expect(codes(await list(anonymous))).toContain(CODE);
  });
});
