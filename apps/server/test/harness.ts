import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type App, buildApp } from '../src/app';
import type { Config } from '../src/config';
import type { Clock } from '../src/core/clock';
import { type Database, openDatabase } from '../src/core/db/client';
import type { LogOtpSender } from '../src/modules/identity/otp-sender';
import { DEMO_PASSWORD, testConfig } from './config';
import { withDatabase } from './global-setup';

export interface TestApp {
  app: App;
  database: Database;
  config: Config;
  otp: LogOtpSender;
  close(): Promise<void>;
}

/**
 * Opens a private copy of the migrated, seeded database for one test file. With `dataDir`, the
 * embedded copy lives on disk in `dataDir/pglite` (as a server's does) instead of in memory.
 */
export async function openTestDatabase(opts: { dataDir?: string } = {}): Promise<{
  database: Database;
  url: string | null;
  drop(): Promise<void>;
}> {
  const template = inject('pgTemplateUrl');
  if (template) {
    const name = `linli_t_${randomBytes(6).toString('hex')}`;
    // Connected to the run's own database, not the template: a connection to the template makes
    // another file's CREATE DATABASE … TEMPLATE fail ("being accessed by other users").
    const adminUrl = inject('pgAdminUrl');
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE linli_template`);
    await admin.end();
    const url = withDatabase(template, name);
    const database = await openDatabase({ databaseUrl: url, dataDir: '', databaseInMemory: false });
    return {
      database,
      url,
      async drop() {
        await database.close();
        const a = new pg.Client({ connectionString: adminUrl });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const dump = new Blob([fs.readFileSync(inject('pgliteDump'))]);
  const database = await openDatabase(
    { databaseUrl: null, dataDir: opts.dataDir ?? '', databaseInMemory: !opts.dataDir },
    { loadDataDir: dump },
  );
  return { database, url: null, drop: () => database.close() };
}

/** Builds the real app over a private database. Call close() in afterAll. */
export async function buildTestApp(
  overrides: Partial<Config> = {},
  deps: { clock?: Clock; logger?: object } = {},
): Promise<TestApp> {
  const { database, drop } = await openTestDatabase();
  const config = testConfig(overrides);
  const app = await buildApp({ config, database, logger: deps.logger ?? false, clock: deps.clock });
  const otp = app.otpSender as LogOtpSender;
  await app.ready();
  return {
    app,
    database,
    config,
    otp,
    async close() {
      await app.close();
      await drop();
    },
  };
}

type InjectOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
  /** The caller's IP (default 127.0.0.1): per-IP limits count people apart by it. */
  remoteAddress?: string;
};

/**
 * A signed-in (or anonymous) client: keeps cookies like a browser and sends the CSRF header on
 * writes, as the web apps do.
 */
export class Client {
  cookies = new Map<string, string>();
  constructor(readonly app: App) {}

  async request(opts: InjectOptions) {
    const method = opts.method ?? 'GET';
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('linli_csrf');
    if (csrf && method !== 'GET' && !('x-csrf-token' in headers)) headers['x-csrf-token'] = csrf;
    const res = await this.app.inject({
      method,
      url: opts.url,
      headers,
      ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
      ...(opts.payload === undefined ? {} : { payload: opts.payload as object }),
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const gone = c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0;
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
  get(url: string, headers?: Record<string, string>) {
    return this.request({ url, headers });
  }
  post(url: string, payload?: unknown, headers?: Record<string, string>) {
    return this.request({ method: 'POST', url, payload: payload ?? {}, headers });
  }
  patch(url: string, payload?: unknown) {
    return this.request({ method: 'PATCH', url, payload: payload ?? {} });
  }
  delete(url: string) {
    return this.request({ method: 'DELETE', url });
  }
}

/** Signs a staff account in with username and password. Throws unless it lands signed in. */
export async function loginAs(app: App, username: string, password = DEMO_PASSWORD): Promise<Client> {
  const client = new Client(app);
  const res = await client.post('/api/v1/auth/login', { username, password });
  if (res.statusCode !== 200 || res.json().status !== 'signed_in') {
    throw new Error(`login as ${username} failed: ${res.statusCode} ${res.body}`);
  }
  return client;
}

/**
 * Signs a resident in by phone and one-time code (read from the development sender) and, as the
 * app asks them to, agrees to the privacy notice in force; `{ consent: false }` leaves that to the test.
 */
export async function residentLogin(
  t: TestApp,
  phone: string,
  opts: { consent?: boolean } = {},
): Promise<Client> {
  const client = new Client(t.app);
  const sent = await client.post('/api/v1/auth/otp', { phone });
  if (sent.statusCode !== 200) throw new Error(`otp send failed: ${sent.statusCode} ${sent.body}`);
  const code = t.otp.latest(phone)?.code;
  const res = await client.post('/api/v1/auth/otp/verify', { phone, code });
  if (res.statusCode !== 200) throw new Error(`otp verify failed: ${res.statusCode} ${res.body}`);
  const privacy = res.json().me?.privacy;
  if (opts.consent !== false && privacy?.consentRequired) {
    const agreed = await client.post('/api/v1/me/privacy/consent', { version: privacy.currentVersion });
    if (agreed.statusCode !== 200) throw new Error(`consent failed: ${agreed.statusCode} ${agreed.body}`);
  }
  return client;
}
