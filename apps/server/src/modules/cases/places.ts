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
export function pickContaining(rows: OrgUnitBoundaryRow[], p: Position): OrgUnitBoundaryRow | null {
  let edge: OrgUnitBoundaryRow | null = null;
  for (const r of rows) {
    const c: Containment = pointInGeometry(p, r.geometry as AreaGeometry);
    if (c === 'inside') return r;
    if (c === 'boundary' && !edge) edge = r;
  }
  return edge;
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
    const p: Position = [lng, lat];
    const rows = await boundaryCandidates(db, districtId, lng, lat);
    const district = rows.filter((r) => r.depth === 0);
    if (district.length) {
      if (!pickContaining(district, p)) throw outside(lat, lng);
    } else if (await hasDistrictBoundary(db, districtId)) {
      throw outside(lat, lng);
    }
    const community = pickContaining(
      rows.filter((r) => r.depth === 2),
      p,
    );
    if (community) {
      const grid = pickContaining(
        rows.filter((r) => r.depth === 3 && r.parentId === community.orgUnitId),
        p,
      );
      return {
        orgUnitId: grid?.orgUnitId ?? community.orgUnitId,
        communityId: community.orgUnitId,
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
