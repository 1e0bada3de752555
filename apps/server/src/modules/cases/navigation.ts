import type { NavigationLinks } from '@linli/contracts';
import gcoord from 'gcoord';

/**
 * "Navigate" (导航) links to a case's spot, by the map apps' public URI schemes, which open the
 * app on a phone and the web map elsewhere:
 * - AMap (高德) `uri.amap.com/marker`, `position=lng,lat` in GCJ-02 (`coordinate=gaode`);
 * - Baidu `api.map.baidu.com/marker`, `location=lat,lng` in BD-09 (`coord_type=bd09ll`);
 * - Tencent `apis.map.qq.com/uri/v1/marker`, `coord:lat,lng` in GCJ-02.
 * We store WGS-84 (what phones' GPS gives); gcoord converts (outside China it leaves a point as is,
 * as the datums only differ there).
 */
const SRC = 'linli';

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** Drops what the Tencent marker's `key:value;` syntax would misread. */
const markerText = (s: string) => s.replace(/[;:]/g, ' ').trim();

export function navigationLinks(
  point: { lat: number; lng: number },
  title: string,
  address: string,
): NavigationLinks {
  const [gLng, gLat] = gcoord.transform([point.lng, point.lat], gcoord.WGS84, gcoord.GCJ02).map(round6) as [
    number,
    number,
  ];
  const [bLng, bLat] = gcoord.transform([point.lng, point.lat], gcoord.WGS84, gcoord.BD09).map(round6) as [
    number,
    number,
  ];
  const e = encodeURIComponent;
  const amap = `position=${gLng},${gLat}&name=${e(title)}&src=${SRC}&coordinate=gaode&callnative=1`;
  const baidu =
    `location=${bLat},${bLng}&title=${e(title)}&content=${e(address || title)}` +
    `&output=html&coord_type=bd09ll&src=webapp.${SRC}`;
  const marker = [`coord:${gLat},${gLng}`, `title:${e(markerText(title))}`];
  if (address) marker.push(`addr:${e(markerText(address))}`);
  const tencent = `marker=${marker.join(';')}&referer=${SRC}`;
  return {
    amap: `https://uri.amap.com/marker?${amap}`,
    baidu: `https://api.map.baidu.com/marker?${baidu}`,
    tencent: `https://apis.map.qq.com/uri/v1/marker?${tencent}`,
  };
}
