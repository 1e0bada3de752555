import {
  clipRing,
  convexHull,
  type PolygonGeometry,
  type Position,
  pointInRing,
  type Ring,
  tidyRing,
} from './geometry';

/**
 * Demo boundaries for 罗江区: plausible, NOT surveyed. A convex district outline of about the
 * district's 448 km² around 万安镇, a Voronoi partition of it into the 7 towns (seeded near their
 * real seats), then each town cell partitioned into its villages and communities (communities
 * close to the town seat, villages further out), and a community cell cut into bands for its
 * grids. Every cell is a convex polygon clipped from its parent, so the cells of one level tile
 * their parent exactly. 翰林社区's seed is 31.3175 N, 104.5062 E, so its cell contains that point.
 * Deterministic: the same input gives the same polygons. Admins replace them with real ones
 * (PUT /api/v1/org-units/:id/boundary).
 */

export const HANLIN_POINT = { lat: 31.3175, lng: 104.5062 };

/** Approximate town seats (lng, lat): the real seats' rough positions, for a plausible layout. */
const TOWN_SEATS: Record<string, Position> = {
  万安镇: [104.505, 31.315],
  白马关镇: [104.47, 31.415],
  调元镇: [104.395, 31.375],
  鄢家镇: [104.535, 31.39],
  略坪镇: [104.55, 31.3],
  新盛镇: [104.5, 31.245],
  金山镇: [104.41, 31.28],
};

/** Fixed seeds of named units (the brief's test point). */
const UNIT_SEEDS: Record<string, Position> = { 翰林社区: [HANLIN_POINT.lng, HANLIN_POINT.lat] };

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The district outline: a slightly irregular convex 24-gon of about 448 km². */
export function districtOutline(): Ring {
  const rand = mulberry32(510604);
  const center: Position = [104.462, 31.33];
  const rx = 0.1101;
  const ry = 0.1229;
  const pts: Position[] = [];
  for (let i = 0; i < 24; i++) {
    const a = (i / 24) * 2 * Math.PI;
    const k = 0.96 + rand() * 0.08;
    pts.push([center[0] + rx * k * Math.cos(a), center[1] + ry * k * Math.sin(a)]);
  }
  return tidyRing(convexHull(pts));
}

/** The cell of `seed` among `others` inside `region` (convex): clip by each bisector. */
function voronoiCell(region: Ring, seed: Position, others: Position[]): Ring {
  let ring = region;
  for (const o of others) {
    if (o[0] === seed[0] && o[1] === seed[1]) continue;
    // Points closer to seed than to o: 2(o - s)·p <= |o|² - |s|².
    const a = 2 * (o[0] - seed[0]);
    const b = 2 * (o[1] - seed[1]);
    const c = o[0] ** 2 + o[1] ** 2 - seed[0] ** 2 - seed[1] ** 2;
    ring = clipRing(ring, a, b, c);
    if (ring.length < 3) break;
  }
  return ring;
}

const polygon = (ring: Ring): PolygonGeometry => ({ type: 'Polygon', coordinates: [tidyRing(ring)] });

export interface DemoTown {
  name: string;
  units: { name: string; kind: 'community' | 'village' }[];
}

export interface DemoBoundaries {
  district: PolygonGeometry;
  towns: Map<string, PolygonGeometry>;
  /** Villages and communities by name (names are unique in the district). */
  units: Map<string, PolygonGeometry>;
}

/** Seeds of a town's units: communities near the seat, villages further out, all inside the town cell. */
function unitSeeds(town: DemoTown, seat: Position, cell: Ring, rand: () => number): Position[] {
  const golden = Math.PI * (3 - Math.sqrt(5));
  const communities = town.units.filter((u) => u.kind === 'community').length;
  return town.units.map((u, i) => {
    const fixed = UNIT_SEEDS[u.name];
    if (fixed) return fixed;
    const isCommunity = u.kind === 'community';
    const idx = isCommunity ? i : i - communities;
    const r = isCommunity
      ? 0.004 + 0.0035 * Math.sqrt(idx + 1) + rand() * 0.002
      : 0.022 + 0.008 * Math.sqrt(idx + 1) + rand() * 0.006;
    const angle = idx * golden + rand() * 0.4 + (isCommunity ? 0 : 1.3);
    let p: Position = [seat[0] + r * Math.cos(angle) * 1.1, seat[1] + r * Math.sin(angle)];
    // Pull a seed that fell outside its town towards the seat.
    for (let k = 0; k < 40 && pointInRing(p, cell) !== 'inside'; k++) {
      p = [seat[0] + (p[0] - seat[0]) * 0.85, seat[1] + (p[1] - seat[1]) * 0.85];
    }
    return p;
  });
}

/** The whole demo partition: district → towns → villages and communities. */
export function generateDemoBoundaries(towns: DemoTown[]): DemoBoundaries {
  const outline = districtOutline();
  const seats = towns.map((t): Position => TOWN_SEATS[t.name] ?? [104.46, 31.33]);
  const rand = mulberry32(20261127);
  const result: DemoBoundaries = { district: polygon(outline), towns: new Map(), units: new Map() };
  towns.forEach((town, ti) => {
    const cell = tidyRing(voronoiCell(outline, seats[ti]!, seats));
    result.towns.set(town.name, polygon(cell));
    const seeds = unitSeeds(town, seats[ti]!, cell, rand);
    town.units.forEach((u, ui) => {
      result.units.set(u.name, polygon(voronoiCell(cell, seeds[ui]!, seeds)));
    });
  });
  return result;
}

/** Cuts a (convex) community cell into `n` west-to-east bands of equal width: demo grids. */
export function gridBands(cell: PolygonGeometry, n: number): PolygonGeometry[] {
  const ring = cell.coordinates[0]!;
  const xs = ring.map((p) => p[0]);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const cuts = Array.from(
    { length: n - 1 },
    (_, i) => Math.round((min + ((max - min) * (i + 1)) / n) * 1e6) / 1e6,
  );
  const bands: PolygonGeometry[] = [];
  for (let i = 0; i < n; i++) {
    let band = ring;
    // x >= left  <=>  -x <= -left;  x <= right.
    if (i > 0) band = clipRing(band, -1, 0, -cuts[i - 1]!);
    if (i < n - 1) band = clipRing(band, 1, 0, cuts[i]!);
    bands.push(polygon(band));
  }
  return bands;
}
