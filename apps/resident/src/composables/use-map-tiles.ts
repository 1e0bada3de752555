import type { MapSettings } from '@linli/contracts';
import { api } from '@/api';

let pending: Promise<MapSettings['tiles']> | null = null;

/**
 * The tile layer under the report form's pin map (天地图 when the server has a key), asked for once
 * per page load; null keeps the offline sketch, as does a failed request.
 */
export function mapTiles(): Promise<MapSettings['tiles']> {
  pending ??= api.maps
    .settings()
    .then((s) => s.tiles)
    .catch(() => null);
  return pending;
}
