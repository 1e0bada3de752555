import type { BoundaryList, Case, MapSettings, PlaceAt } from '@linli/contracts';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { buildApp } from '../../app';
import { loadConfig } from '../../config';
import { orgUnits } from '../identity/schema';
import { CHENGDU, HANLIN, POSTERS, reportCase } from './fixtures';
import type { AreaGeometry } from './geometry';
import { orgUnitBoundaries } from './schema';

let t: TestApp;
let resident: Client;
let secretary: Client;
let squad1: Client;

beforeAll(async () => {
  t = await buildTestApp();
  resident = await residentLogin(t, '13800000001');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  squad1 = await loginAs(t.app, 'hanlin-squad1');
});
afterAll(async () => {
  await t.close();
});

/** The mean of a convex cell's vertices: inside it (the demo cells are convex). */
function interior(g: AreaGeometry): { lat: number; lng: number } {
  const ring = (g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0]![0])!.slice(0, -1);
  const lng = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  return { lat, lng };
}

async function units() {
  const rows = await t.database.db
    .select({ id: orgUnits.id, name: orgUnits.name, parentId: orgUnits.parentId, kind: orgUnits.kind })
    .from(orgUnits);
  return new Map(rows.map((r) => [r.id, r]));
}

async function boundariesAt(depth: number) {
  return t.database.db
    .select({ orgUnitId: orgUnitBoundaries.orgUnitId, geometry: orgUnitBoundaries.geometry })
    .from(orgUnitBoundaries)
    .where(eq(orgUnitBoundaries.depth, depth));
}

const placeAt = async (p: { lat: number; lng: number }) => {
  const res = await t.app.inject(`/api/v1/maps/place?lat=${p.lat}&lng=${p.lng}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as PlaceAt;
};

describe('reverse geocoding (GET /maps/place)', () => {
  it('names the grid, its community and its town for a point inside every grid of the district', async () => {
    const byId = await units();
    const grids = await boundariesAt(3);
    expect(grids.length).toBeGreaterThan(3);
    for (const g of grids) {
      const grid = byId.get(g.orgUnitId)!;
      const community = byId.get(grid.parentId!)!;
      const town = byId.get(community.parentId!)!;
      const at = await placeAt(interior(g.geometry as AreaGeometry));
      expect(at.inDistrict, grid.name).toBe(true);
      expect(
        [at.town?.name, at.community?.name, at.grid?.name],
        `${town.name} ${community.name} ${grid.name}`,
      ).toEqual([town.name, community.name, grid.name]);
      expect(at.grid?.kind).toBe('grid');
    }
  });

  it('names the community and its town for a point inside every community', async () => {
    const byId = await units();
    const communities = await boundariesAt(2);
    expect(communities.length).toBeGreaterThan(10);
    for (const c of communities) {
      const community = byId.get(c.orgUnitId)!;
      const at = await placeAt(interior(c.geometry as AreaGeometry));
      expect(at.community?.id, community.name).toBe(community.id);
      expect(at.town?.id, community.name).toBe(community.parentId);
      // A community's grids tile it: the point is in one of its own grids, when it has any.
      if (at.grid) expect(byId.get(at.grid.id)?.parentId).toBe(community.id);
    }
  });

  it('answers inDistrict false and names nothing for a point outside the district', async () => {
    expect(await placeAt(CHENGDU)).toEqual({ inDistrict: false, town: null, community: null, grid: null });
    // Far away, where no boundary's box reaches either.
    expect(await placeAt({ lat: 45, lng: 123 })).toEqual({
      inDistrict: false,
      town: null,
      community: null,
      grid: null,
    });
  });

  it('refuses a missing or out-of-range coordinate with a 400 naming it', async () => {
    const bad = await t.app.inject('/api/v1/maps/place?lat=91&lng=104.5');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(bad.json().errors)).toContain('lat');
    const missing = await t.app.inject('/api/v1/maps/place?lat=31.3');
    expect(missing.statusCode).toBe(400);
    expect(JSON.stringify(missing.json().errors)).toContain('lng');
  });
});

describe('the outlines of one level (GET /maps/boundaries)', () => {
  it('gives anyone the towns and communities, and grids only where the caller has org.read', async () => {
    const byId = await units();
    const district = [...byId.values()].find((u) => u.kind === 'district')!;
    const hanlin = [...byId.values()].find((u) => u.name === '翰林社区')!;
    const q = (c: Client | null, id: string, kind: string) =>
      c
        ? c.get(`/api/v1/maps/boundaries?orgUnitId=${id}&kind=${kind}`)
        : t.app.inject(`/api/v1/maps/boundaries?orgUnitId=${id}&kind=${kind}`);
    const communities = (await q(null, district.id, 'community')).json() as BoundaryList;
    expect(communities.items.length).toBe((await boundariesAt(2)).length);
    expect(communities.items.every((b) => b.orgUnit.kind === 'community')).toBe(true);
    expect(((await q(null, district.id, 'town')).json() as BoundaryList).items.length).toBe(
      (await boundariesAt(1)).length,
    );
    // Grids: none for an anonymous caller, only 翰林社区's for its secretary, even asked district-wide.
    expect(((await q(null, district.id, 'grid')).json() as BoundaryList).items).toEqual([]);
    const grids = ((await q(secretary, district.id, 'grid')).json() as BoundaryList).items;
    expect(grids.length).toBeGreaterThan(0);
    expect(grids.every((g) => byId.get(g.orgUnit.id)?.parentId === hanlin.id)).toBe(true);
    expect(((await q(secretary, hanlin.id, 'grid')).json() as BoundaryList).items).toEqual(grids);
  });

  it('answers 404 for an unknown unit and 400 naming a bad level', async () => {
    const missing = await t.app.inject(
      '/api/v1/maps/boundaries?orgUnitId=00000000-0000-4000-8000-000000000000&kind=community',
    );
    expect(missing.statusCode).toBe(404);
    const byId = await units();
    const district = [...byId.values()].find((u) => u.kind === 'district')!;
    const bad = await t.app.inject(`/api/v1/maps/boundaries?orgUnitId=${district.id}&kind=district`);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('kind');
  });
});

describe('a case detail names its place and links to the map apps', () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = await reportCase(resident, { ...POSTERS, address: '翰林路 18 号 3 单元门口' });
  });

  it('gives the town · community · grid of the point and keeps the reporter’s own text', async () => {
    const res = await secretary.get(`/api/v1/cases/${caseId}`);
    expect(res.statusCode).toBe(200);
    const c = res.json() as Case;
    const at = await placeAt(HANLIN);
    expect(c.place?.town?.name).toBe('万安镇');
    expect(c.place?.community?.name).toBe('翰林社区');
    expect(c.place?.grid?.kind).toBe('grid');
    expect(c.place).toEqual({ town: at.town, community: at.community, grid: at.grid });
    // The grid the report was routed to is the one the detail names.
    expect(c.orgUnit.id).toBe(c.place?.grid?.id);
    expect(c.address).toBe('翰林路 18 号 3 单元门口');
    // The squad's task view reads the same detail.
    const forSquad = (await squad1.get(`/api/v1/cases/${caseId}`)).json() as Case;
    expect(forSquad.place).toEqual(c.place);
  });

  it('converts the stored WGS-84 point to GCJ-02 for AMap and Tencent and to BD-09 for Baidu', async () => {
    const c = (await secretary.get(`/api/v1/cases/${caseId}`)).json() as Case;
    expect(c.location).toEqual(HANLIN);
    // Reference values for 104.5062 E, 31.3175 N from an independent implementation of the
    // published transforms (wandergis/coordtransform 2.1.2: wgs84togcj02, gcj02tobd09):
    // GCJ-02 104.50872763690079, 31.315242821250337; BD-09 104.51514486184449, 31.32150188932064.
    const amap = new URL(c.navigation!.amap);
    expect(amap.origin + amap.pathname).toBe('https://uri.amap.com/marker');
    const [aLng, aLat] = amap.searchParams.get('position')!.split(',').map(Number);
    expect(aLng).toBeCloseTo(104.508728, 6);
    expect(aLat).toBeCloseTo(31.315243, 6);
    expect(amap.searchParams.get('coordinate')).toBe('gaode');

    const baidu = new URL(c.navigation!.baidu);
    expect(baidu.origin + baidu.pathname).toBe('https://api.map.baidu.com/marker');
    const [bLat, bLng] = baidu.searchParams.get('location')!.split(',').map(Number);
    expect(bLat).toBeCloseTo(31.321502, 6);
    expect(bLng).toBeCloseTo(104.515145, 6);
    expect(baidu.searchParams.get('coord_type')).toBe('bd09ll');
    expect(baidu.searchParams.get('content')).toContain('翰林路 18 号');

    const tencent = new URL(c.navigation!.tencent);
    expect(tencent.origin + tencent.pathname).toBe('https://apis.map.qq.com/uri/v1/marker');
    const marker = tencent.searchParams.get('marker')!;
    expect(marker.startsWith('coord:31.315243,104.508728;title:')).toBe(true);
    expect(marker).toContain('addr:万安镇翰林社区');
    expect(tencent.searchParams.get('referer')).toBeTruthy();
  });

  it('has no place and no links for a case placed by its address alone', async () => {
    const id = await reportCase(resident, {
      categoryCode: POSTERS.categoryCode,
      description: POSTERS.description,
      address: '翰林社区 东门',
    });
    const c = (await secretary.get(`/api/v1/cases/${id}`)).json() as Case;
    expect(c.location).toBeNull();
    expect(c.place).toBeNull();
    expect(c.navigation).toBeNull();
  });
});

describe('map tiles (天地图)', () => {
  const DEFAULT_CSP =
    "default-src 'self';base-uri 'self';font-src 'self' data:;form-action 'self';frame-ancestors 'self';" +
    "img-src 'self' data: blob:;object-src 'none';script-src 'self';script-src-attr 'none';" +
    "style-src 'self' 'unsafe-inline';connect-src 'self'";

  it('leaves the CSP as it is and offers no tiles when TIANDITU_KEY is not set', async () => {
    expect(t.config.mapTiles).toBeNull();
    expect((await t.app.inject('/healthz')).headers['content-security-policy']).toBe(DEFAULT_CSP);
    const s = await t.app.inject('/api/v1/maps/settings');
    expect(s.json()).toEqual({ tiles: null } satisfies MapSettings);
  });

  it('adds exactly the tile hosts to img-src and serves the templates with the key when it is set', async () => {
    const key = '0123456789abcdef0123456789abcdef';
    const mapTiles = loadConfig({ TIANDITU_KEY: key }).mapTiles;
    // A second app on the same database: only the configuration differs.
    const tiled = {
      app: await buildApp({ config: { ...t.config, mapTiles }, database: t.database, logger: false }),
    };
    await tiled.app.ready();
    try {
      const csp = (await tiled.app.inject('/healthz')).headers['content-security-policy'] as string;
      const hosts = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => `https://t${n}.tianditu.gov.cn`);
      expect(csp).toBe(
        DEFAULT_CSP.replace("img-src 'self' data: blob:", `img-src 'self' data: blob: ${hosts.join(' ')}`),
      );
      // API answers keep their own, stricter policy.
      const api = await tiled.app.inject('/api/v1/maps/settings');
      expect(api.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      const { tiles } = api.json() as MapSettings;
      expect(tiles?.urlTemplates).toHaveLength(2);
      for (const u of tiles!.urlTemplates) {
        expect(u).toContain(`tk=${key}`);
        expect(u).toMatch(/^https:\/\/t\{s\}\.tianditu\.gov\.cn\/.*\{z\}.*\{y\}.*\{x\}/);
      }
      expect(tiles?.subdomains).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    } finally {
      await tiled.app.close();
    }
  });

  it('validates the key and the URL template, naming the variable', () => {
    expect(() => loadConfig({ TIANDITU_KEY: 'bad key!' })).toThrow(/TIANDITU_KEY/);
    expect(() => loadConfig({ TIANDITU_URL_TEMPLATE: 'https://t{s}.tianditu.gov.cn/{z}/{x}/{y}' })).toThrow(
      /TIANDITU_URL_TEMPLATE: is used only with TIANDITU_KEY/,
    );
    const key = 'abcdef0123456789';
    expect(() =>
      loadConfig({ TIANDITU_KEY: key, TIANDITU_URL_TEMPLATE: 'http://tiles.example.cn/{z}/{x}/{y}.png' }),
    ).toThrow(/TIANDITU_URL_TEMPLATE: must be https/);
    expect(() =>
      loadConfig({ TIANDITU_KEY: key, TIANDITU_URL_TEMPLATE: 'https://tiles.example.cn/{z}/{x}.png' }),
    ).toThrow(/TIANDITU_URL_TEMPLATE: each template needs \{y\}/);
    const own = loadConfig({
      TIANDITU_KEY: key,
      TIANDITU_URL_TEMPLATE: 'https://tiles.example.cn/{z}/{x}/{y}.png?tk={key}',
    }).mapTiles;
    expect(own).toEqual({
      urlTemplates: [`https://tiles.example.cn/{z}/{x}/{y}.png?tk=${key}`],
      subdomains: [],
      origins: ['https://tiles.example.cn'],
    });
  });
});
