/**
 * Plane geometry on WGS-84 longitude/latitude, enough for routing a report to the org unit whose
 * boundary contains it. Pure functions, no dependencies. Coordinates are `[lng, lat]` as in
 * GeoJSON. Areas of a district (tens of km) are small enough to treat degrees as a plane for
 * containment; distances use the haversine formula.
 */

export type Position = [number, number];
export type Ring = Position[];
/** A polygon: the outer ring, then holes. */
export type PolygonCoords = Ring[];

export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: PolygonCoords;
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: PolygonCoords[];
}
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

/** Where a point lies relative to a shape. */
export type Containment = 'inside' | 'outside' | 'boundary';

/** Degrees closer than this are the same place (about 1 mm). */
const EPS = 1e-8;

function onSegment(p: Position, a: Position, b: Position): boolean {
  const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (Math.abs(cross) > EPS * Math.max(len, EPS)) return false;
  return (
    p[0] >= Math.min(a[0], b[0]) - EPS &&
    p[0] <= Math.max(a[0], b[0]) + EPS &&
    p[1] >= Math.min(a[1], b[1]) - EPS &&
    p[1] <= Math.max(a[1], b[1]) + EPS
  );
}

/**
 * A point against one ring (closed or not): on an edge or a vertex is `boundary`; otherwise the
 * crossing-number (even–odd) rule decides, with half-open edges so a ray through a vertex counts once.
 */
export function pointInRing(p: Position, ring: Ring): Containment {
  const n = ring.length;
  if (n < 3) return 'outside';
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (onSegment(p, a, b)) return 'boundary';
    if (a[1] > p[1] !== b[1] > p[1]) {
      const x = a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
      if (p[0] < x) inside = !inside;
    }
  }
  return inside ? 'inside' : 'outside';
}

/** A point against a polygon with holes: inside a hole is outside; a hole's edge is boundary. */
export function pointInPolygon(p: Position, polygon: PolygonCoords): Containment {
  const [outer, ...holes] = polygon;
  if (!outer) return 'outside';
  const o = pointInRing(p, outer);
  if (o !== 'inside') return o;
  for (const h of holes) {
    const c = pointInRing(p, h);
    if (c === 'boundary') return 'boundary';
    if (c === 'inside') return 'outside';
  }
  return 'inside';
}

/** A point against a Polygon or MultiPolygon: inside any part wins over boundary. */
export function pointInGeometry(p: Position, g: AreaGeometry): Containment {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let best: Containment = 'outside';
  for (const poly of polygons) {
    const c = pointInPolygon(p, poly);
    if (c === 'inside') return 'inside';
    if (c === 'boundary') best = 'boundary';
  }
  return best;
}

/** The bounding box `[minLng, minLat, maxLng, maxLat]` of a geometry's outer rings. */
export function bbox(g: AreaGeometry): [number, number, number, number] {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const poly of polygons)
    for (const [x, y] of poly[0] ?? []) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  return [minX, minY, maxX, maxY];
}

/** Signed area of a ring in squared degrees (positive when counter-clockwise). */
export function ringArea(ring: Ring): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    s += (ring[j]![0] - ring[i]![0]) * (ring[j]![1] + ring[i]![1]);
  }
  return s / 2;
}

/** Approximate area of a ring in km² (equirectangular at the ring's mean latitude). */
export function ringAreaKm2(ring: Ring): number {
  const lat = ring.reduce((s, p) => s + p[1], 0) / Math.max(ring.length, 1);
  const kx = 111.32 * Math.cos((lat * Math.PI) / 180);
  const ky = 110.57;
  return Math.abs(ringArea(ring)) * kx * ky;
}

/** Great-circle distance in metres. */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Sutherland–Hodgman: the part of a convex-or-not ring where `a·x + b·y <= c`. Exact for convex
 * rings (all the generator clips); returns an open ring (no repeated first point).
 */
export function clipRing(ring: Ring, a: number, b: number, c: number): Ring {
  const open = closedToOpen(ring);
  const out: Ring = [];
  const side = (p: Position) => a * p[0] + b * p[1] - c;
  for (let i = 0; i < open.length; i++) {
    const cur = open[i]!;
    const prev = open[(i + open.length - 1) % open.length]!;
    const sc = side(cur);
    const sp = side(prev);
    if (sc <= 0) {
      if (sp > 0) out.push(intersect(prev, cur, sp, sc));
      out.push(cur);
    } else if (sp <= 0) {
      out.push(intersect(prev, cur, sp, sc));
    }
  }
  return out;
}

function intersect(p: Position, q: Position, sp: number, sq: number): Position {
  const t = sp / (sp - sq);
  return [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
}

function closedToOpen(ring: Ring): Ring {
  if (ring.length > 1) {
    const f = ring[0]!;
    const l = ring[ring.length - 1]!;
    if (f[0] === l[0] && f[1] === l[1]) return ring.slice(0, -1);
  }
  return ring;
}

/** Rounds to `digits` decimals, drops repeated points and closes the ring (GeoJSON style). */
export function tidyRing(ring: Ring, digits = 6): Ring {
  const f = 10 ** digits;
  const out: Ring = [];
  for (const [x, y] of closedToOpen(ring)) {
    const p: Position = [Math.round(x * f) / f, Math.round(y * f) / f];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  while (out.length > 1 && out[0]![0] === out[out.length - 1]![0] && out[0]![1] === out[out.length - 1]![1])
    out.pop();
  if (out.length) out.push([out[0]![0], out[0]![1]]);
  return out;
}

/** The convex hull (counter-clockwise, open) of points: Andrew's monotone chain. */
export function convexHull(points: Position[]): Ring {
  const pts = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const cross = (o: Position, a: Position, b: Position) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Position[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: Position[] = [];
  for (const p of pts.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

function segmentsCross(p1: Position, p2: Position, p3: Position, p4: Position): boolean {
  const d = (a: Position, b: Position, c: Position) =>
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const d1 = d(p3, p4, p1);
  const d2 = d(p3, p4, p2);
  const d3 = d(p1, p2, p3);
  const d4 = d(p1, p2, p4);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/**
 * Checks an uploaded geometry: numbers in range, closed rings of at least 4 positions, no
 * self-crossing ring, holes inside their outer ring. Returns one message per problem (empty: valid).
 */
export function validateGeometry(g: AreaGeometry): string[] {
  const errors: string[] = [];
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (polygons.length === 0) errors.push('has no polygon');
  polygons.forEach((poly, pi) => {
    const where = g.type === 'Polygon' ? '' : `polygon ${pi}: `;
    if (poly.length === 0) errors.push(`${where}has no ring`);
    poly.forEach((ring, ri) => {
      const name = `${where}ring ${ri}`;
      if (ring.length < 4) {
        errors.push(`${name} needs at least 4 positions`);
        return;
      }
      for (const p of ring) {
        if (!Number.isFinite(p[0]) || !Number.isFinite(p[1]) || Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) {
          errors.push(`${name} has a position outside longitude/latitude range`);
          return;
        }
      }
      const f = ring[0]!;
      const l = ring[ring.length - 1]!;
      if (f[0] !== l[0] || f[1] !== l[1])
        errors.push(`${name} is not closed (first and last positions differ)`);
      if (Math.abs(ringArea(ring)) === 0) errors.push(`${name} has no area`);
      const n = ring.length - 1;
      if (n <= 2000) {
        outer: for (let i = 0; i < n; i++)
          for (let j = i + 2; j < n; j++) {
            if (i === 0 && j === n - 1) continue;
            if (segmentsCross(ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!)) {
              errors.push(`${name} crosses itself`);
              break outer;
            }
          }
      }
      if (ri > 0 && poly[0] && ring.some((p) => pointInRing(p, poly[0]!) === 'outside')) {
        errors.push(`${name} (a hole) is not inside the outer ring`);
      }
    });
  });
  return errors;
}
