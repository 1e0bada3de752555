import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';
import { FakeClock } from '../clock';
import type { Actor } from '../context';
import { buildStaff, sampleTree, type SampleTree, sessionAs } from '../../modules/identity/fixtures';
import { accounts, sessions } from '../../modules/identity/schema';
import {
  cachedSession,
  rememberSession,
  SESSION_CACHE_TTL_MS,
  sessionGeneration,
  sessionsChanged,
} from './session-cache';
import { hashToken } from './sessions';

const clock = new FakeClock(new Date('2026-09-01T01:00:00Z'));
let t: TestApp;
let tree: SampleTree;
let admin: Client;

const api = (path: string) => `/api/v1${path}`;

/** The same cookies as `c`, in a second client: a request after `c` was signed out still sends them. */
function copyOf(c: Client): Client {
  const copy = new Client(t.app);
  for (const [k, v] of c.cookies) copy.cookies.set(k, v);
  return copy;
}

/** A fixture staff member at 翰林社区 with the given grants, signed in. */
async function staff(grants: { role: string; unit: SampleTree[keyof SampleTree] }[]) {
  const account = await buildStaff(t.database.db, tree.C1, grants);
  const client = await sessionAs(t.app, account.id);
  return { account, client };
}

/** Warms the cache: the session is now held in memory. */
async function warm(c: Client) {
  expect((await c.get(api('/me'))).statusCode).toBe(200);
  expect((await c.get(api('/me'))).statusCode).toBe(200);
}

const canReadAccounts = async (c: Client) => (await c.get(api('/accounts?limit=1'))).statusCode;

beforeAll(async () => {
  t = await buildTestApp({}, { clock });
  tree = await sampleTree(t.database.db);
  admin = await loginAs(t.app, 'admin');
});
afterAll(() => t.close());
afterEach(() => {
  vi.restoreAllMocks();
});

describe('the session cache', () => {
  it('answers a repeated signed-in request without the session query', async () => {
    const { client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    const count = async () => {
      const before = t.database.queryCount();
      expect((await client.get(api('/me'))).statusCode).toBe(200);
      return t.database.queryCount() - before;
    };
    const cold = await count();
    const warmCount = await count();
    // The session, its account and its grants are one statement (issue #15; it was two).
    expect(warmCount).toBe(cold - 1);
  });

  it('does not keep a session read that raced an invalidation', () => {
    const actor: Actor = {
      kind: 'staff',
      accountId: '0190a3c2-0000-7000-8000-000000000001',
      districtId: null,
      displayName: 'x',
      grants: [],
      sessionId: 's',
    };
    const source = {};
    const now = Date.now();
    const entry = {
      source,
      sessionId: 's',
      stage: 'full' as const,
      actor,
      lastSeenAt: now,
      expiresAt: now + 60_000,
      consentPending: false,
    };
    const before = sessionGeneration();
    sessionsChanged({ accountId: 'someone-else' });
    rememberSession('hash-raced', entry, before);
    expect(cachedSession(source, 'hash-raced', now, 3_600_000, 60_000)).toBeNull();
    rememberSession('hash-fresh', { ...entry, actor: { ...actor } }, sessionGeneration());
    expect(cachedSession(source, 'hash-fresh', now, 3_600_000, 60_000)?.sessionId).toBe('s');
    // Another database's entry is not this one's, even for the same token hash.
    expect(cachedSession({}, 'hash-fresh', now, 3_600_000, 60_000)).toBeNull();
    sessionsChanged({ accountId: actor.accountId!.toUpperCase() });
    expect(cachedSession(source, 'hash-fresh', now, 3_600_000, 60_000)).toBeNull();
  });
});

describe('invalidation: the very next request sees the change', () => {
  it('signs out: the old cookie answers 401', async () => {
    const { client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    await warm(client);
    const old = copyOf(client);
    expect((await client.post(api('/auth/logout'))).statusCode).toBe(204);
    expect((await old.get(api('/me'))).statusCode).toBe(401);
  });

  it('revokes one session from another: the revoked one answers 401, the other goes on', async () => {
    const { account, client: first } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    const second = await sessionAs(t.app, account.id);
    await warm(first);
    await warm(second);
    const [row] = await t.database.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(eq(sessions.tokenHash, hashToken(first.cookies.get('linli_session')!)));
    expect((await second.post(api(`/me/sessions/${row!.id}/revoke`))).statusCode).toBe(204);
    expect((await first.get(api('/me'))).statusCode).toBe(401);
    expect((await second.get(api('/me'))).statusCode).toBe(200);
  });

  it('signs out everywhere: every session answers 401', async () => {
    const { account, client: first } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    const second = await sessionAs(t.app, account.id);
    await warm(first);
    await warm(second);
    const old = copyOf(first);
    expect((await first.post(api('/auth/logout-all'))).statusCode).toBe(204);
    expect((await old.get(api('/me'))).statusCode).toBe(401);
    expect((await second.get(api('/me'))).statusCode).toBe(401);
  });

  it('changes the password: the other sessions answer 401, the current one goes on', async () => {
    const current = await loginAs(t.app, 'minzheng-staff');
    const other = await loginAs(t.app, 'minzheng-staff');
    await warm(current);
    await warm(other);
    const res = await current.post(api('/me/password'), {
      currentPassword: 'Linli@2026',
      newPassword: 'Another#Pass2026',
    });
    expect(res.statusCode).toBe(204);
    expect((await other.get(api('/me'))).statusCode).toBe(401);
    expect((await current.get(api('/me'))).statusCode).toBe(200);
  });

  it('resets the password: every session of that account answers 401', async () => {
    const { account, client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    await warm(client);
    expect((await admin.post(api(`/accounts/${account.id}/reset-password`))).statusCode).toBe(200);
    expect((await client.get(api('/me'))).statusCode).toBe(401);
  });

  it('disables the account: its sessions answer 401', async () => {
    const { account, client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    await warm(client);
    expect((await admin.post(api(`/accounts/${account.id}/disable`))).statusCode).toBe(200);
    expect((await client.get(api('/me'))).statusCode).toBe(401);
  });

  it('revokes a grant: the next request is 403', async () => {
    const { account, client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    expect(await canReadAccounts(client)).toBe(200);
    expect(await canReadAccounts(client)).toBe(200);
    const view = (await admin.get(api(`/accounts/${account.id}`))).json();
    const grant = view.grants.find((g: { roleCode: string }) => g.roleCode === 'community_worker');
    const res = await admin.post(api(`/accounts/${account.id}/grants/${grant.id}/revoke`));
    expect(res.statusCode).toBe(200);
    expect(await canReadAccounts(client)).toBe(403);
  });

  it('revokes a grant named with an upper-case id: the next request is still 403', async () => {
    const { account, client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    expect(await canReadAccounts(client)).toBe(200);
    const view = (await admin.get(api(`/accounts/${account.id}`))).json();
    const grant = view.grants.find((g: { roleCode: string }) => g.roleCode === 'community_worker');
    const res = await admin.post(
      api(`/accounts/${account.id.toUpperCase()}/grants/${grant.id.toUpperCase()}/revoke`),
    );
    expect(res.statusCode).toBe(200);
    expect(await canReadAccounts(client)).toBe(403);
  });

  it('grants a role: the next request may use it', async () => {
    const { account, client } = await staff([{ role: 'grid_worker', unit: tree.G1 }]);
    expect(await canReadAccounts(client)).toBe(403);
    expect(await canReadAccounts(client)).toBe(403);
    const res = await admin.post(api(`/accounts/${account.id}/grants`), {
      roleCode: 'community_worker',
      orgUnitId: tree.C1.id,
    });
    expect(res.statusCode).toBe(201);
    expect(await canReadAccounts(client)).toBe(200);
  });

  it('retires the unit a grant hangs on: the next request is 403', async () => {
    const grid = await admin.post(api('/org-units'), {
      parentId: tree.C1.id,
      name: '缓存测试网格',
      code: 'cache-grid-1',
      kind: 'grid',
    });
    expect(grid.statusCode).toBe(201);
    const unit = { ...tree.G1, id: grid.json().id, path: grid.json().path };
    const { client } = await staff([{ role: 'community_worker', unit }]);
    expect(await canReadAccounts(client)).toBe(200);
    expect(await canReadAccounts(client)).toBe(200);
    const retired = await admin.post(api(`/org-units/${unit.id}/retire`), { reason: '缓存测试' });
    expect(retired.statusCode).toBe(200);
    expect(await canReadAccounts(client)).toBe(403);
    const back = await admin.post(api(`/org-units/${unit.id}/reinstate`));
    expect(back.statusCode).toBe(200);
    expect(await canReadAccounts(client)).toBe(200);
  });

  it('moves the unit a grant hangs on: the next request checks the new path', async () => {
    const grid = await admin.post(api('/org-units'), {
      parentId: tree.C1.id,
      name: '缓存测试网格二',
      code: 'cache-grid-2',
      kind: 'grid',
    });
    expect(grid.statusCode).toBe(201);
    const unit = { ...tree.G1, id: grid.json().id, path: grid.json().path };
    const { client } = await staff([{ role: 'community_worker', unit }]);
    // Someone who lives in the grid: inside the grant's subtree wherever the grid goes.
    const { account: target } = await staff([]);
    await db().update(accounts).set({ orgUnitId: unit.id }).where(eq(accounts.id, target.id));
    expect((await client.get(api(`/accounts/${target.id}`))).statusCode).toBe(200);
    expect((await client.get(api(`/accounts/${target.id}`))).statusCode).toBe(200);
    const moved = await admin.post(api(`/org-units/${unit.id}/move`), { parentId: tree.C2.id });
    expect(moved.statusCode).toBe(200);
    // With the grant's old path still cached, the target (now under 家和社区) would be out of scope: 404.
    expect((await client.get(api(`/accounts/${target.id}`))).statusCode).toBe(200);
  });

  it('changes the display name: the next request acts under the new one', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const publish = (title: string) =>
      client.post(api('/notices'), { orgUnitId: tree.C2.id, title, body: '缓存测试公告正文' });
    const first = await publish('缓存测试一');
    expect(first.statusCode).toBe(201);
    const renamed = await client.patch(api('/me'), { displayName: '改名后的社工' });
    expect(renamed.statusCode).toBe(200);
    const second = await publish('缓存测试二');
    expect(second.statusCode).toBe(201);
    expect(second.json().author).toBe('改名后的社工');
  });
});

describe('expiry still holds for a cached session', () => {
  it('ends a cached session at its absolute expiry', async () => {
    const { client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    const tokenHash = hashToken(client.cookies.get('linli_session')!);
    await db()
      .update(sessions)
      .set({ expiresAt: new Date(clock.now().getTime() + 30_000) })
      .where(eq(sessions.tokenHash, tokenHash));
    await warm(client);
    clock.advance(29_999);
    expect((await client.get(api('/me'))).statusCode).toBe(200);
    clock.advance(1);
    const res = await client.get(api('/me'));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('session-expired');
  });

  it('ends a cached session after the idle limit', async () => {
    const { client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    await warm(client);
    clock.advance(t.config.sessionIdleMinutes * 60_000 + 1);
    const res = await client.get(api('/me'));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('session-expired');
  });

  it('still refreshes the idle clock once a minute', async () => {
    const { client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    const tokenHash = hashToken(client.cookies.get('linli_session')!);
    const lastSeen = async () =>
      (await db().select().from(sessions).where(eq(sessions.tokenHash, tokenHash)))[0]!.lastSeenAt.getTime();
    await warm(client);
    const start = await lastSeen();
    clock.advance(30_000);
    expect((await client.get(api('/me'))).statusCode).toBe(200);
    expect(await lastSeen()).toBe(start);
    clock.advance(31_000);
    expect((await client.get(api('/me'))).statusCode).toBe(200);
    expect(await lastSeen()).toBe(clock.now().getTime());
  });

  it('re-reads a session changed by another process once the entry is older than the TTL', async () => {
    const { client } = await staff([{ role: 'community_worker', unit: tree.C1 }]);
    const tokenHash = hashToken(client.cookies.get('linli_session')!);
    await warm(client);
    // Another server process on the same PostgreSQL revokes it: this process is not told.
    await db().update(sessions).set({ revokedAt: clock.now() }).where(eq(sessions.tokenHash, tokenHash));
    const real = performance.now.bind(performance);
    vi.spyOn(performance, 'now').mockImplementation(() => real() + SESSION_CACHE_TTL_MS);
    expect((await client.get(api('/me'))).statusCode).toBe(401);
  });
});

function db() {
  return t.database.db;
}
