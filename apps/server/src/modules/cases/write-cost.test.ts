import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { HANLIN, multipart, PNG } from './fixtures';

/**
 * What a report and a step cost in statements (issue 15: on PGlite every statement costs ~1 ms
 * of the one thread; "the report in ≤ 8"), and that neither touches a row every other write
 * needs: no counter row, no rollup row. The audit row is counted apart: with the chain linked by
 * a job (core.linkAudit) it is one INSERT, so the report is ≤ 8 statements in all.
 */

let t: TestApp;
let resident: Client;
let secretary: Client;
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-write-cost-'));

beforeAll(async () => {
  t = await buildTestApp({ dataDir }, { clock });
  resident = await residentLogin(t, '13800000001');
  secretary = await loginAs(t.app, 'hanlin-secretary');
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const AUDIT = /audit_log|pg_advisory_xact_lock\(7315002\)/;
/** Rows every write of a district would queue on if a request wrote them. */
const SHARED_ROWS = /case_stats_weekly|case_hotspots_daily|case_number_counters/;

async function statementsOf<T>(f: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const stop = t.database.watchQueries((q) => sql.push(q));
  try {
    return { result: await f(), sql };
  } finally {
    stop();
  }
}

const split = (sql: string[]) => ({
  audit: sql.filter((q) => AUDIT.test(q)).length,
  rest: sql.filter((q) => !AUDIT.test(q)),
});

function reportBody(photos = 0) {
  return multipart([
    { name: 'categoryCode', value: '0201' },
    { name: 'description', value: '单元楼道里贴满了小广告' },
    { name: 'lat', value: String(HANLIN.lat) },
    { name: 'lng', value: String(HANLIN.lng) },
    ...Array.from({ length: photos }, (_, i) => ({
      name: 'photos',
      filename: `p${i}.png`,
      type: 'image/png',
      data: PNG,
    })),
  ]);
}

describe('the cost of a write', () => {
  it('reports in at most 7 statements besides the audit row, none on a shared row', async () => {
    const body = reportBody();
    // The first report of the process reads what later ones find in memory (org units, calendar).
    expect((await resident.post('/api/v1/cases', body.payload, body.headers)).statusCode).toBe(201);
    const { result, sql } = await statementsOf(() =>
      resident.post('/api/v1/cases', body.payload, body.headers),
    );
    expect(result.statusCode, result.body).toBe(201);
    const { audit, rest } = split(sql);
    expect(rest.length, rest.join('\n')).toBeLessThanOrEqual(7);
    expect(audit).toBe(1);
    expect(rest.length + audit).toBeLessThanOrEqual(8);
    expect(sql.filter((q) => SHARED_ROWS.test(q))).toEqual([]);
    // Its photos cost the upload quota's statements and no more in the report itself.
    const withPhotos = reportBody(2);
    const photos = await statementsOf(() =>
      resident.post('/api/v1/cases', withPhotos.payload, withPhotos.headers),
    );
    expect(photos.result.statusCode, photos.result.body).toBe(201);
    const quota = photos.sql.filter((q) => /upload_ledger|hashtext/.test(q)).length;
    expect(split(photos.sql).rest.length - quota).toBe(rest.length);
  });

  it('takes a step without touching a shared row', async () => {
    const body = reportBody();
    const r = await resident.post('/api/v1/cases', body.payload, body.headers);
    expect(r.statusCode, r.body).toBe(201);
    const { result, sql } = await statementsOf(() =>
      secretary.post(`/api/v1/cases/${r.json().id}/register`, {}),
    );
    expect(result.statusCode, result.body).toBe(200);
    const { rest } = split(sql);
    expect(sql.filter((q) => SHARED_ROWS.test(q))).toEqual([]);
    expect(rest.filter((q) => /case_stat_deltas/.test(q))).toHaveLength(1);
    expect(rest.length, rest.join('\n')).toBeLessThanOrEqual(12);
  });
});
