import { type Config, loadConfig } from '../src/config';

/** The configuration every test starts from: demo data on, no logs, no web apps, no env leaking in. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: 'silent', LINLI_DEMO: 'on', SERVE_WEB: 'off' },
    { databaseUrl: null, ...overrides },
  );
}

export const DEMO_PASSWORD = 'Linli@2026';
