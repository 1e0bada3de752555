import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { type AreaGeometry, type Containment, type Position, pointInGeometry } from './geometry';
import { placesOfDistrict } from '../identity/lookups';
import { boundaryCandidates, hasDistrictBoundary } from './queries';
import type { OrgUnitBoundaryRow } from './schema';

/**
 * Where a report belongs: location → grid and community by point-in-polygon over the org units'
 * boundaries, falling back to the address text (a community's or a town's name in it).
 */

export interface Placement {
  /** The finest unit found: grid, else community, else town. */
  orgUnitId: string;
  communityId: string | null;
  how: 'boundary' | 'address';
}

/** The one unit of `rows` holding the point: strictly inside first, else on an edge (first by id). */
export function pickContaining<R extends Pick<OrgUnitBoundaryRow, 'geometry'>>(
  rows: R[],
  p: Position,
): R | null {
  let edge: R | null = null;
  for (const r of rows) {
    const c: Containment = pointInGeometry(p, r.geometry as AreaGeometry);
    if (c === 'inside') return r;
    if (c === 'boundary' && !edge) edge = r;
  }
  return edge;
}

/** A candidate boundary with what the reverse geocoding names. */
export type PlaceCandidate = Pick<OrgUnitBoundaryRow, 'orgUnitId' | 'depth' | 'geometry'> & {
  parentId: string | null;
  code: string;
  name: string;
  kind: string;
};

/** The units holding a point, level by level; `district` says whether the district's outline holds it. */
export interface Located<R> {
  /** `none`: no district outline among the candidates (so none, or one whose box misses the point). */
  district: 'inside' | 'outside' | 'none';
  town: R | null;
  community: R | null;
  grid: R | null;
}

/**
 * Reverse geocoding over candidate boundaries (those whose box holds the point): the town, the
 * community and, inside that community, the grid whose outlines hold it. The one rule for
 * placing a report, naming a case's spot and telling a phone which community it stands in.
 */
export function locate<R extends PlaceCandidate>(rows: R[], p: Position): Located<R> {
  const districts = rows.filter((r) => r.depth === 0);
  const district = districts.length ? (pickContaining(districts, p) ? 'inside' : 'outside') : 'none';
  if (district === 'outside') return { district, town: null, community: null, grid: null };
  const community = pickContaining(
    rows.filter((r) => r.depth === 2),
    p,
  );
  const grid = community
    ? pickContaining(
        rows.filter((r) => r.depth === 3 && r.parentId === community.orgUnitId),
        p,
      )
    : null;
  const towns = rows.filter((r) => r.depth === 1);
  // The community's own town when it has an outline; else whichever town outline holds the point.
  const town =
    (community && towns.find((t) => t.orgUnitId === community.parentId)) || pickContaining(towns, p);
  return { district, town, community, grid };
}

/**
 * `GET /maps/place`: the town, community and grid holding a WGS-84 point, or `inDistrict: false`
 * when the district's outline does not hold it (then no unit is named).
 */
export async function placeAt(db: Executor, districtId: string, lat: number, lng: number) {
  const rows = await boundaryCandidates(db, districtId, lng, lat);
  const found = locate(rows, [lng, lat]);
  const inDistrict =
    found.district === 'inside' ||
    (found.district === 'none' &&
      !(await hasDistrictBoundary(db, districtId)) &&
      !!(found.community ?? found.town));
  return inDistrict ? { inDistrict, ...found } : { inDistrict, town: null, community: null, grid: null };
}

const outside = (lat: number, lng: number) =>
  AppError.unprocessable('outside-district', `The location ${lat}, ${lng} is outside the district.`, [
    { field: 'body/lat', message: 'is outside the district', code: 'outside-district' },
    { field: 'body/lng', message: 'is outside the district', code: 'outside-district' },
  ]);

/** Finds the org unit of a report; 422 when the point is outside the district or nothing matches. */
export async function placeReport(
  db: Executor,
  districtId: string,
  input: { lat?: number; lng?: number; address?: string },
): Promise<Placement> {
  const { lat, lng } = input;
  if (lat !== undefined && lng !== undefined) {
    const found = locate(await boundaryCandidates(db, districtId, lng, lat), [lng, lat]);
    if (found.district === 'outside') throw outside(lat, lng);
    if (found.district === 'none' && (await hasDistrictBoundary(db, districtId))) throw outside(lat, lng);
    if (found.community) {
      return {
        orgUnitId: found.grid?.orgUnitId ?? found.community.orgUnitId,
        communityId: found.community.orgUnitId,
        how: 'boundary',
      };
    }
  }
  const address = input.address?.trim();
  if (address) {
    const places = await placesOfDistrict(db, districtId);
    const byLength = (a: { name: string }, b: { name: string }) => b.name.length - a.name.length;
    const community = places
      .filter((u) => u.kind === 'community' && address.includes(u.name))
      .sort(byLength)[0];
    if (community) return { orgUnitId: community.id, communityId: community.id, how: 'address' };
    const town = places.filter((u) => u.kind === 'town' && address.includes(u.name)).sort(byLength)[0];
    if (town) return { orgUnitId: town.id, communityId: null, how: 'address' };
  }
  throw AppError.unprocessable(
    'unplaceable',
    'Cannot tell where this is: send a location inside the district, or an address naming the community.',
    [{ field: 'body/address', message: 'names no community or town of the district', code: 'unplaceable' }],
  );
}
