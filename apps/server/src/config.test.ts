import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('config', () => {
  it('starts with defaults for the embedded mode when nothing is set: loopback, with the demo', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: null,
      dev: true,
      demo: true,
      smsSender: 'log',
      publicOrigin: null,
    });
    expect(c.dataDir).toMatch(/data$/);
  });

  const KEY = Buffer.alloc(32, 7).toString('base64');

  it('switches the development conveniences on only on loopback or when LINLI_DEV=on asks', () => {
    const off = { dev: false, demo: false, smsSender: 'none' };
    const on = { dev: true, demo: true, smsSender: 'log' };
    expect(loadConfig({ HOST: '0.0.0.0' })).toMatchObject(off);
    expect(loadConfig({ HOST: '::' })).toMatchObject(off);
    expect(loadConfig({ HOST: '192.168.1.20' })).toMatchObject(off);
    expect(loadConfig({ HOST: 'localhost' })).toMatchObject(on);
    expect(loadConfig({ HOST: '::1' })).toMatchObject(on);
    expect(loadConfig({ HOST: '127.0.0.2' })).toMatchObject(on);
    expect(loadConfig({ HOST: '0.0.0.0', LINLI_DEV: 'on' })).toMatchObject(on);
    expect(loadConfig({ HOST: '127.0.0.1', LINLI_DEV: 'off' })).toMatchObject(off);
    expect(loadConfig({ NODE_ENV: 'production', LINLI_SECRET_KEY: KEY })).toMatchObject(off);
    expect(loadConfig({ NODE_ENV: 'production', HOST: '0.0.0.0', LINLI_SECRET_KEY: KEY })).toMatchObject(off);
    // Demo data can still be left out of a development server.
    expect(loadConfig({ LINLI_DEMO: 'off' })).toMatchObject({ dev: true, demo: false });
    // The year of demo activity follows the demo data unless asked otherwise.
    expect(loadConfig({})).toMatchObject({ demo: true, demoHistory: true });
    expect(loadConfig({ LINLI_DEMO: 'off' })).toMatchObject({ demoHistory: false });
    expect(loadConfig({ LINLI_DEMO_HISTORY: 'off' })).toMatchObject({ demo: true, demoHistory: false });
  });

  it.each([
    [{ HOST: '0.0.0.0', LINLI_DEMO: 'on' }, 'LINLI_DEMO', /needs LINLI_DEV=on/],
    [{ HOST: '0.0.0.0', SMS_SENDER: 'log' }, 'SMS_SENDER', /needs LINLI_DEV=on/],
    [{ LINLI_DEMO: 'off', LINLI_DEMO_HISTORY: 'on' }, 'LINLI_DEMO_HISTORY', /needs the demo district/],
    [{ NODE_ENV: 'production', LINLI_DEMO: 'on', LINLI_SECRET_KEY: KEY }, 'LINLI_DEMO', /needs LINLI_DEV=on/],
    [
      { NODE_ENV: 'production', LINLI_DEV: 'on' },
      'LINLI_DEV',
      /cannot be switched on with NODE_ENV=production/,
    ],
    [{ PUBLIC_ORIGIN: 'linli.example.gov.cn' }, 'PUBLIC_ORIGIN', /must be an origin/],
    [
      { PUBLIC_ORIGIN: 'https://linli.example.gov.cn/console' },
      'PUBLIC_ORIGIN',
      /scheme, host and optional port/,
    ],
  ])('refuses %o naming %s', (env, name, message) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(name);
    expect((caught as Error).message).toMatch(message);
  });

  it('keeps a configured public origin without a trailing slash', () => {
    expect(loadConfig({ PUBLIC_ORIGIN: 'https://linli.example.gov.cn/' }).publicOrigin).toBe(
      'https://linli.example.gov.cn',
    );
    expect(loadConfig({ PUBLIC_ORIGIN: 'https://linli.example.gov.cn:8443' }).publicOrigin).toBe(
      'https://linli.example.gov.cn:8443',
    );
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

  it('keeps METRICS_TOKEN when it is 16 or more visible characters, and leaves metrics off without it', () => {
    expect(loadConfig({}).metricsToken).toBeNull();
    const token = 'a'.repeat(64);
    expect(loadConfig({ METRICS_TOKEN: token }).metricsToken).toBe(token);
    for (const bad of ['short-token', 'has a space in it!!', `${'x'.repeat(20)}\u00e9`]) {
      expect(() => loadConfig({ METRICS_TOKEN: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ METRICS_TOKEN: bad })).toThrow(/^METRICS_TOKEN: /);
    }
  });
});
