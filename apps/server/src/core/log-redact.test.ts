import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { openTestDatabase } from '../../test/harness';
import { testConfig } from '../../test/config';
import { redactDeep, redactText } from './log-redact';

describe('personal data in logs', () => {
  it('masks phones, ID numbers and password hashes by shape, and leaves other numbers alone', () => {
    expect(redactText('params: 13800001234,510623199001011234,$argon2id$v=19$m=19456$abc$def,42')).toBe(
      'params: 138****1234,510623********1234,[redacted],42',
    );
    expect(redactText('Key (phone)=(15912345678) already exists.')).toBe(
      'Key (phone)=(159****5678) already exists.',
    );
    // Not a phone: too long, a landline, an id, a timestamp.
    for (const s of ['138000012345', '0838-1234567', '019400000000000000001', '1733558400000'])
      expect(redactText(s)).toBe(s);
    expect(redactDeep({ a: ['13800001234', { b: '51062319900101123X' }], n: 13800001234 })).toEqual({
      a: ['138****1234', { b: '510623********123X' }],
      n: 13800001234,
    });
  });

  it('logs a failing query without its personal parameters, and URLs without phones', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { database, drop } = await openTestDatabase();
    const app = await buildApp({
      config: testConfig({ logLevel: 'info' }),
      database,
      logger: { stream },
    });
    try {
      app.get(
        '/api/v1/test-failing-query',
        { config: { permission: 'public' }, schema: { hide: true } },
        async () => {
          // A query that fails with the phone as a parameter and in the driver's message.
          await database.db.execute(
            (await import('drizzle-orm'))
              .sql`SELECT ${'13800001234'}::int AS phone, ${'510623199001011234'}::int`,
          );
          return {};
        },
      );
      const res = await app.inject('/api/v1/test-failing-query?phone=13912345678');
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/13800001234|SELECT/);
      const log = lines.join('');
      expect(log).toMatch(/unhandled error/);
      expect(log).toMatch(/138\*\*\*\*1234/);
      expect(log).toMatch(/139\*\*\*\*5678/);
      expect(log).not.toMatch(/13800001234|13912345678|510623199001011234/);
    } finally {
      await app.close();
      await drop();
    }
  });
});
