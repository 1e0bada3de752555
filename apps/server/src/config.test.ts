import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('config', () => {
  it('starts with defaults for the embedded mode when nothing is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: 'development',
      port: 3000,
      databaseUrl: null,
      demo: true,
      smsSender: 'log',
    });
    expect(c.dataDir).toMatch(/data$/);
  });

  it('turns demo data and the log SMS sender off in production unless asked', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ demo: false, smsSender: 'none' });
    expect(loadConfig({ NODE_ENV: 'production', LINLI_DEMO: 'on' }).demo).toBe(true);
  });

  it.each([
    ['PORT', 'abc', /PORT: must be a whole number/],
    ['PORT', '70000', /PORT: must be between 0 and 65535/],
    ['NODE_ENV', 'staging', /NODE_ENV: must be one of development, production, test/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: must start with postgres:\/\//],
    ['LINLI_DEMO', 'maybe', /LINLI_DEMO: must be on or off/],
    ['LINLI_DEMO_PASSWORD', 'short', /LINLI_DEMO_PASSWORD: must be at least 8 characters/],
    ['SESSION_IDLE_MINUTES', '1', /SESSION_IDLE_MINUTES: must be between 5/],
    ['COOKIE_SECURE', 'sometimes', /COOKIE_SECURE: must be one of auto, always, never/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: must be one of/],
  ])('refuses %s=%s with a message naming the variable', (name, value, message) => {
    let caught: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(name);
    expect((caught as Error).message).toMatch(message);
  });
});
