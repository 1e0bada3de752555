import { describe, expect, it } from 'vitest';
import { uuidv7 } from './columns';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisOf = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('uuidv7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the millisecond given', () => {
    for (const ms of [0, 1, 1_764_288_000_000, Date.now(), 2 ** 48 - 1]) {
      const id = uuidv7(ms);
      expect(id).toMatch(UUID_V7);
      expect(millisOf(id)).toBe(ms);
    }
  });

  it('keeps the version and variant bits over thousands of ids, across refills of the random pool', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts by creation time across milliseconds, as text and as PostgreSQL sorts uuids', () => {
    const ids = [1_000, 1_001, 65_536, 1_764_288_000_000, 1_764_288_000_001].map((ms) => uuidv7(ms));
    expect([...ids].sort()).toEqual(ids);
  });

  it('counts up within a millisecond: ids made together sort in the order they were made', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7(1_764_288_000_123));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('spends its random bits: ids of the same millisecond differ in both random groups of rand_b', () => {
    const ids = Array.from({ length: 200 }, () => uuidv7(1_764_288_000_000));
    for (const group of [3, 4]) {
      expect(new Set(ids.map((id) => id.split('-')[group])).size).toBeGreaterThan(150);
    }
  });
});
