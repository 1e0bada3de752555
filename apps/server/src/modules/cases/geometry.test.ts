import { describe, expect, it } from 'vitest';
import orgData from '../identity/data/org-units.json' with { type: 'json' };
import {
  type DemoTown,
  districtOutline,
  generateDemoBoundaries,
  gridBands,
  HANLIN_POINT,
} from './boundaries-demo';
import {
  type AreaGeometry,
  bbox,
  clipRing,
  distanceMeters,
  pointInGeometry,
  pointInPolygon,
  pointInRing,
  type Position,
  type Ring,
  ringAreaKm2,
  validateGeometry,
} from './geometry';
import { pickContaining } from './places';
import type { OrgUnitBoundaryRow } from './schema';

const square: Ring = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
  [0, 0],
];
const hole: Ring = [
  [4, 4],
  [6, 4],
  [6, 6],
  [4, 6],
  [4, 4],
];
/** A concave "U": the notch (4..6, 3..10) is outside. */
const u: Ring = [
  [0, 0],
  [10, 0],
  [10, 10],
  [6, 10],
  [6, 3],
  [4, 3],
  [4, 10],
  [0, 10],
  [0, 0],
];

describe('point in polygon', () => {
  it.each([
    [[5, 5], 'inside'],
    [[0.000001, 9.999999], 'inside'],
    [[-1, 5], 'outside'],
    [[11, 5], 'outside'],
    [[5, 10.5], 'outside'],
    [[5, 0], 'boundary'],
    [[10, 7], 'boundary'],
    [[0, 0], 'boundary'],
    [[10, 10], 'boundary'],
  ] as [Position, string][])('square: %j is %s', (p, expected) => {
    expect(pointInRing(p, square)).toBe(expected);
  });

  it('counts a ray through a vertex once (horizontal ray at a vertex height)', () => {
    const diamond: Ring = [
      [5, 0],
      [10, 5],
      [5, 10],
      [0, 5],
      [5, 0],
    ];
    expect(pointInRing([2, 5], diamond)).toBe('inside');
    expect(pointInRing([-2, 5], diamond)).toBe('outside');
    expect(pointInRing([11, 5], diamond)).toBe('outside');
    expect(pointInRing([2.5, 2.5], diamond)).toBe('boundary');
  });

  it('handles concave rings', () => {
    expect(pointInRing([5, 8], u)).toBe('outside');
    expect(pointInRing([5, 2], u)).toBe('inside');
    expect(pointInRing([2, 8], u)).toBe('inside');
    expect(pointInRing([5, 3], u)).toBe('boundary');
    expect(pointInRing([6, 7], u)).toBe('boundary');
  });

  it('treats a hole as outside and its edge as boundary', () => {
    const poly = [square, hole];
    expect(pointInPolygon([5, 5], poly)).toBe('outside');
    expect(pointInPolygon([4, 5], poly)).toBe('boundary');
    expect(pointInPolygon([2, 2], poly)).toBe('inside');
    expect(pointInPolygon([20, 2], poly)).toBe('outside');
  });

  it('looks in every part of a MultiPolygon', () => {
    const g: AreaGeometry = {
      type: 'MultiPolygon',
      coordinates: [[square], [square.map(([x, y]) => [x + 20, y] as Position)]],
    };
    expect(pointInGeometry([25, 5], g)).toBe('inside');
    expect(pointInGeometry([15, 5], g)).toBe('outside');
    expect(pointInGeometry([20, 5], g)).toBe('boundary');
    expect(bbox(g)).toEqual([0, 0, 30, 10]);
  });

  it('gives a point on a shared edge to exactly one of the two neighbours', () => {
    const left = { orgUnitId: 'a', geometry: { type: 'Polygon', coordinates: [square] } };
    const right = {
      orgUnitId: 'b',
      geometry: { type: 'Polygon', coordinates: [square.map(([x, y]) => [x + 10, y] as Position)] },
    };
    const rows = [left, right] as unknown as OrgUnitBoundaryRow[];
    expect(pickContaining(rows, [10, 5])?.orgUnitId).toBe('a');
    expect(pickContaining(rows, [10.5, 5])?.orgUnitId).toBe('b');
    expect(pickContaining(rows, [30, 5])).toBeNull();
  });
});

describe('clipping, distance and validation', () => {
  it('clips a ring by a half-plane', () => {
    const half = clipRing(square, 1, 0, 4); // x <= 4
    expect(Math.max(...half.map((p) => p[0]))).toBe(4);
    expect(half).toHaveLength(4);
  });

  it('measures distance on the sphere', () => {
    const d = distanceMeters({ lat: 31.3175, lng: 104.5062 }, { lat: 31.3184, lng: 104.5062 });
    expect(d).toBeGreaterThan(99);
    expect(d).toBeLessThan(101);
  });

  it('accepts a valid polygon with a hole and names what is wrong with bad ones', () => {
    expect(validateGeometry({ type: 'Polygon', coordinates: [square, hole] })).toEqual([]);
    expect(validateGeometry({ type: 'Polygon', coordinates: [square.slice(0, 4)] })[0]).toContain(
      'not closed',
    );
    expect(validateGeometry({ type: 'Polygon', coordinates: [square.slice(0, 3)] })[0]).toContain(
      'at least 4',
    );
    const bowtie: Ring = [
      [0, 0],
      [10, 10],
      [10, 0],
      [0, 10],
      [0, 0],
    ];
    expect(validateGeometry({ type: 'Polygon', coordinates: [bowtie] })).toContain('ring 0 crosses itself');
    const outsideHole: Ring = hole.map(([x, y]) => [x + 20, y]);
    expect(validateGeometry({ type: 'Polygon', coordinates: [square, outsideHole] })).toContain(
      'ring 1 (a hole) is not inside the outer ring',
    );
    expect(
      validateGeometry({
        type: 'Polygon',
        coordinates: [
          [
            [200, 0],
            [1, 0],
            [1, 1],
            [200, 0],
          ],
        ],
      })[0],
    ).toContain('range');
  });
});

describe('the demo boundaries of 罗江区', () => {
  const towns: DemoTown[] = orgData.towns.map((t) => ({
    name: t.name,
    units: t.units.map((x) => ({ name: x.name, kind: x.type === '社区' ? 'community' : 'village' })),
  }));
  const demo = generateDemoBoundaries(towns);
  const units = [...demo.units.entries()];
  const townCells = [...demo.towns.entries()];

  it('has a cell for each of the 93 villages and communities, and about the district area', () => {
    expect(units).toHaveLength(93);
    expect(units.every(([, g]) => g.coordinates[0]!.length >= 4)).toBe(true);
    const area = ringAreaKm2(districtOutline());
    expect(area).toBeGreaterThan(400);
    expect(area).toBeLessThan(500);
  });

  it('puts 31.3175 N, 104.5062 E in 翰林社区 and 万安镇', () => {
    const p: Position = [HANLIN_POINT.lng, HANLIN_POINT.lat];
    expect(units.filter(([, g]) => pointInGeometry(p, g) === 'inside').map(([n]) => n)).toEqual(['翰林社区']);
    expect(townCells.filter(([, g]) => pointInGeometry(p, g) === 'inside').map(([n]) => n)).toEqual([
      '万安镇',
    ]);
  });

  it('maps every sampled point of the district to exactly one unit, and points outside to none', () => {
    const [minX, minY, maxX, maxY] = bbox(demo.district);
    let inside = 0;
    const N = 120;
    for (let i = 0; i < N; i++)
      for (let j = 0; j < N; j++) {
        const p: Position = [
          minX + ((maxX - minX) * (i + 0.37)) / N,
          minY + ((maxY - minY) * (j + 0.61)) / N,
        ];
        const inDistrict = pointInGeometry(p, demo.district);
        const holders = units.filter(([, g]) => pointInGeometry(p, g) === 'inside').length;
        const towns = townCells.filter(([, g]) => pointInGeometry(p, g) === 'inside').length;
        if (inDistrict === 'inside') {
          inside++;
          expect(holders, `${p}`).toBe(1);
          expect(towns, `${p}`).toBe(1);
        } else if (inDistrict === 'outside') {
          expect(holders, `${p}`).toBe(0);
        }
      }
    expect(inside).toBeGreaterThan(N * N * 0.6);
  });

  it('keeps each unit inside its own town', () => {
    for (const t of towns) {
      const town = demo.towns.get(t.name)!;
      for (const x of t.units) {
        const ring = demo.units.get(x.name)!.coordinates[0]!;
        const cx = ring.slice(0, -1).reduce((s, p) => s + p[0], 0) / (ring.length - 1);
        const cy = ring.slice(0, -1).reduce((s, p) => s + p[1], 0) / (ring.length - 1);
        expect(pointInGeometry([cx, cy], town), `${x.name} in ${t.name}`).toBe('inside');
      }
    }
  });

  it('cuts a community into grid bands that tile it', () => {
    const cell = demo.units.get('翰林社区')!;
    const bands = gridBands(cell, 3);
    const [minX, minY, maxX, maxY] = bbox(cell);
    for (let i = 0; i < 40; i++)
      for (let j = 0; j < 40; j++) {
        const p: Position = [
          minX + ((maxX - minX) * (i + 0.5)) / 40,
          minY + ((maxY - minY) * (j + 0.5)) / 40,
        ];
        const n = bands.filter((b) => pointInGeometry(p, b) === 'inside').length;
        expect(n).toBe(pointInGeometry(p, cell) === 'inside' ? 1 : 0);
      }
  });
});
