/**
 * Web Mercator for the apps' small maps, so that online tiles (天地图, `GET /maps/settings`) line
 * up under the boundaries when a deployment configures them. Coordinates are WGS-84 as stored;
 * 天地图 draws in CGCS2000, which differs from WGS-84 by centimetres, so nothing is converted.
 * World units: the whole Mercator square is [0, 1] × [0, 1], x east, y south.
 */
export interface TileLayer {
  urlTemplates: string[];
  subdomains: string[];
}

export interface Tile {
  key: string;
  url: string;
  /** Top-left corner and side, in world units. */
  x: number;
  y: number;
  size: number;
}

const MAX_LAT = 85.05112878;

/** A WGS-84 point in world units. */
export function mercator(lng: number, lat: number): [number, number] {
  const s = Math.sin((Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180);
  return [(lng + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

/** World units back to WGS-84. */
export function unmercator(x: number, y: number): { lng: number; lat: number } {
  const n = Math.PI - 2 * Math.PI * y;
  return { lng: x * 360 - 180, lat: (180 / Math.PI) * Math.atan(Math.sinh(n)) };
}

/**
 * The tiles covering a box of world units drawn at `pxPerUnit` screen pixels per world unit:
 * the zoom whose 256-pixel tiles come closest to their own size, every layer bottom to top.
 */
export function tilesFor(
  layer: TileLayer,
  box: { x0: number; y0: number; x1: number; y1: number },
  pxPerUnit: number,
  maxZoom = 18,
): Tile[] {
  const z = Math.max(1, Math.min(maxZoom, Math.round(Math.log2(pxPerUnit / 256))));
  const n = 2 ** z;
  const clamp = (v: number) => Math.max(0, Math.min(n - 1, v));
  const [i0, i1] = [clamp(Math.floor(box.x0 * n)), clamp(Math.floor(box.x1 * n))];
  const [j0, j1] = [clamp(Math.floor(box.y0 * n)), clamp(Math.floor(box.y1 * n))];
  if ((i1 - i0 + 1) * (j1 - j0 + 1) > 64) return [];
  const out: Tile[] = [];
  layer.urlTemplates.forEach((template, l) => {
    for (let i = i0; i <= i1; i++)
      for (let j = j0; j <= j1; j++) {
        const s = layer.subdomains.length ? layer.subdomains[(i + j) % layer.subdomains.length]! : '';
        const url = template
          .replaceAll('{z}', String(z))
          .replaceAll('{x}', String(i))
          .replaceAll('{y}', String(j))
          .replaceAll('{s}', s);
        out.push({ key: `${l}/${z}/${i}/${j}`, url, x: i / n, y: j / n, size: 1 / n });
      }
  });
  return out;
}
