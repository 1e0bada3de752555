import { type Config, loadConfig } from '../src/config';

/** The key test servers encrypt secrets with (fixtures seal TOTP secrets with it too). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 0x5a).toString('base64');

/** The configuration every test starts from: demo data on, no logs, no web apps, no env leaking in. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      LINLI_DEMO: 'on',
      // The template database holds the demo accounts but not the year of demo activity: tests
      // count what they make. A test that wants the history asks for it on a private database.
      LINLI_DEMO_HISTORY: 'off',
      SERVE_WEB: 'off',
      // Test files sign in far more often than people do; the limit itself has its own test.
      LOGIN_RATE_PER_IP_PER_MINUTE: '100000',
      LINLI_SECRET_KEY: TEST_SECRET_KEY,
      // Likewise uploads: a test file sends a resident's week of reports in a second. The limit and
      // the daily quotas have their own tests (core/files.test.ts, core/upload-quota.test.ts).
      UPLOAD_REQUESTS_PER_MINUTE: '100000',
    },
    { databaseUrl: null, ...overrides },
  );
}

export const DEMO_PASSWORD = 'Linli@2026';
