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

  const KEY = Buffer.alloc(32, 7).toString('base64');

  it('turns demo data and the log SMS sender off in production unless asked', () => {
    const prod = { NODE_ENV: 'production', LINLI_SECRET_KEY: KEY };
    expect(loadConfig(prod)).toMatchObject({ demo: false, smsSender: 'none' });
    expect(loadConfig({ ...prod, LINLI_DEMO: 'on' }).demo).toBe(true);
  });

  it('refuses a production start without LINLI_SECRET_KEY, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /LINLI_SECRET_KEY: must be set in production/,
    );
  });

  it('reads LINLI_SECRET_KEY as base64 or hex, and leaves it unset in development', () => {
    expect(loadConfig({ LINLI_SECRET_KEY: KEY }).secretKey).toEqual(Buffer.alloc(32, 7));
    expect(loadConfig({ LINLI_SECRET_KEY: '07'.repeat(32) }).secretKey).toEqual(Buffer.alloc(32, 7));
    expect(loadConfig({}).secretKey).toBeNull();
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
    ['LINLI_SECRET_KEY', 'too-short', /LINLI_SECRET_KEY: must be 32 bytes/],
    ['LINLI_SECRET_KEY', Buffer.alloc(16).toString('base64'), /LINLI_SECRET_KEY: must be 32 bytes/],
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
