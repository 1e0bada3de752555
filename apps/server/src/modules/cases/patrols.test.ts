import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PatrolDetail, PatrolSession } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { HANLIN, multipart } from './fixtures';
import { metresBetween } from './patrols';

let t: TestApp;
let squad1: Client;
let squad2: Client;
let secretary: Client;
let jiaheWorker: Client;
let resident: Client;
const clock = new FakeClock(new Date('2026-11-30T01:00:00Z')); // Monday 09:00 Beijing
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-patrols-'));

beforeAll(async () => {
  t = await buildTestApp({ dataDir }, { clock });
  squad1 = await loginAs(t.app, 'hanlin-squad1');
  squad2 = await loginAs(t.app, 'hanlin-squad2');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  jiaheWorker = await loginAs(t.app, 'jiahe-worker');
  resident = await residentLogin(t, '13800004401');
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const START = new Date('2026-11-30T01:00:00Z');
/** Minutes after the patrol started (the clock is moved on as the patrol goes). */
const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000).toISOString();
/** About 100 m north of the 翰林 point per step. */
const north = (k: number) => ({ lat: HANLIN.lat + k * 0.0009, lng: HANLIN.lng });

describe('metresBetween', () => {
  it('measures great-circle distances', () => {
    expect(metresBetween(HANLIN, HANLIN)).toBe(0);
    // One thousandth of a degree of latitude is about 111 m anywhere.
    expect(metresBetween(HANLIN, { lat: HANLIN.lat + 0.001, lng: HANLIN.lng })).toBeCloseTo(111.2, 0);
    // Longitude shrinks with the cosine of the latitude (31.3° N).
    expect(metresBetween(HANLIN, { lat: HANLIN.lat, lng: HANLIN.lng + 0.001 })).toBeCloseTo(95.0, 0);
  });
});

describe('patrols', () => {
  let id = '';

  it('lets a squad member start one patrol at a time; others may not patrol', async () => {
    expect((await resident.post('/api/v1/patrols', {})).statusCode).toBe(403);
    expect((await jiaheWorker.post('/api/v1/patrols', {})).statusCode).toBe(403);
    const res = await squad1.post('/api/v1/patrols', {});
    expect(res.statusCode, res.body).toBe(201);
    const started = res.json() as PatrolDetail;
    expect(started).toMatchObject({
      status: 'active',
      squad: { community: { name: '翰林社区' } },
      pointCount: 0,
      distanceM: 0,
      endedAt: null,
      points: [],
      cases: [],
    });
    id = started.id;
    const again = await squad1.post('/api/v1/patrols', {});
    expect(again.statusCode).toBe(409);
    expect(again.json().state).toBe('active');
  });

  it('records the route in batches and adds up the distance', async () => {
    clock.advance(2 * 60_000);
    const url = `/api/v1/patrols/${id}/points`;
    let res = await squad1.post(url, {
      points: [
        { at: at(2), ...north(1) },
        { at: at(1), ...north(0) },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().pointCount).toBe(2);
    expect(res.json().distanceM).toBeGreaterThan(95);
    expect(res.json().distanceM).toBeLessThan(105);
    // The next batch continues from the last point recorded.
    clock.advance(60_000);
    res = await squad1.post(url, { points: [{ at: at(3), ...north(2) }] });
    expect(res.json()).toMatchObject({ pointCount: 3 });
    expect(res.json().distanceM).toBeGreaterThan(195);
    expect(res.json().distanceM).toBeLessThan(205);
  });

  it('refuses points of another member, before the start or from the future, and bad batches', async () => {
    clock.advance(60_000);
    const url = `/api/v1/patrols/${id}/points`;
    expect((await squad2.post(url, { points: [{ at: at(4), ...north(3) }] })).statusCode).toBe(404);
    const early = await squad1.post(url, { points: [{ at: at(-30), ...north(3) }] });
    expect(early.statusCode).toBe(400);
    expect(early.json().errors[0].field).toBe('body/points/0/at');
    const future = await squad1.post(url, {
      points: [
        { at: at(4), ...north(3) },
        { at: at(90), ...north(4) },
      ],
    });
    expect(future.statusCode).toBe(400);
    expect(future.json().errors.map((e: { field: string }) => e.field)).toEqual(['body/points/1/at']);
    expect((await squad1.post(url, { points: [] })).statusCode).toBe(400);
    expect((await squad1.post(url, { points: [{ at: at(4), lat: 200, lng: 0 }] })).statusCode).toBe(400);
    // Nothing of a refused batch was kept.
    const detail = (await squad1.get(`/api/v1/patrols/${id}`)).json() as PatrolDetail;
    expect(detail.pointCount).toBe(3);
    expect(detail.points).toHaveLength(3);
  });

  it('attaches a case filed on the patrol (主动发现) to it', async () => {
    const body = multipart([
      { name: 'categoryCode', value: '0102' },
      { name: 'description', value: '巡查发现：路口暴露垃圾' },
      { name: 'lat', value: String(north(2).lat) },
      { name: 'lng', value: String(north(2).lng) },
    ]);
    const res = await squad1.post('/api/v1/cases', body.payload, body.headers);
    expect(res.statusCode, res.body).toBe(201);
    const detail = (await squad1.get(`/api/v1/patrols/${id}`)).json() as PatrolDetail;
    expect(detail.cases).toEqual([expect.objectContaining({ id: res.json().id, categoryCode: '0102' })]);
    expect(detail.caseCount).toBe(1);
  });

  it('stops, audited with the totals, and refuses to stop twice or to add points after', async () => {
    clock.advance(10 * 60_000);
    const res = await squad1.post(`/api/v1/patrols/${id}/stop`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ended', endedAt: clock.now().toISOString(), pointCount: 3 });
    const again = await squad1.post(`/api/v1/patrols/${id}/stop`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().state).toBe('ended');
    expect(
      (await squad1.post(`/api/v1/patrols/${id}/points`, { points: [{ at: at(0), ...north(0) }] }))
        .statusCode,
    ).toBe(409);
    const audit = (
      await (await loginAs(t.app, 'admin')).get(`/api/v1/audit?entityType=patrol&entityId=${id}`)
    ).json();
    expect(audit.items.map((a: { action: string }) => a.action).sort()).toEqual([
      'patrol.start',
      'patrol.stop',
    ]);
    // A new patrol may start once the last one ended.
    expect((await squad1.post('/api/v1/patrols', {})).statusCode).toBe(201);
  });

  it('shows patrols to their member and to staff over the squad’s community only', async () => {
    const mine = (await squad1.get('/api/v1/patrols?mine=true')).json().items as PatrolSession[];
    expect(mine.map((p) => p.status)).toEqual(['active', 'ended']);
    const seen = (await secretary.get('/api/v1/patrols')).json().items as PatrolSession[];
    expect(seen.map((p) => p.id)).toContain(id);
    expect((await secretary.get(`/api/v1/patrols/${id}`)).statusCode).toBe(200);
    // 家和社区's worker has no grant over 翰林社区: the patrol does not exist for them.
    expect((await jiaheWorker.get('/api/v1/patrols')).json().items).toEqual([]);
    expect((await jiaheWorker.get(`/api/v1/patrols/${id}`)).statusCode).toBe(404);
    expect((await resident.get('/api/v1/patrols')).statusCode).toBe(403);
    const ended = (await secretary.get('/api/v1/patrols?status=ended')).json().items as PatrolSession[];
    expect(ended.every((p) => p.status === 'ended')).toBe(true);
  });
});
