import { i18n } from '@/locales';

/** 850 米 under a kilometre, else 1.25 公里. */
export function distanceText(metres: number): string {
  const { t } = i18n.global;
  return metres < 1000
    ? t('cases.patrols.m', { n: Math.round(metres) })
    : t('cases.patrols.km', { n: (metres / 1000).toFixed(2) });
}

/** 1 小时 5 分 between two instants (or until now). */
export function durationText(from: string, to: string | null): string {
  const { t } = i18n.global;
  const ms = Math.max(0, (to ? Date.parse(to) : Date.now()) - Date.parse(from));
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return t('cases.patrols.underMinute');
  return t('cases.duration', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

type Point = { lat: number; lng: number };

/**
 * An equirectangular frame around points (x scaled by cos latitude), as the case map draws:
 * `xy` maps lng/lat into a viewBox about 1000 units on its longer side.
 */
export function frameOf(points: Point[]) {
  if (points.length === 0) return null;
  const lngs = points.map((p) => p.lng);
  const lats = points.map((p) => p.lat);
  const minLng = Math.min(...lngs);
  const maxLng = Math.max(...lngs);
  const minLat = Math.min(...lats);
  const maxLat = Math.max(...lats);
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const w = Math.max((maxLng - minLng) * k, 0.002);
  const h = Math.max(maxLat - minLat, 0.002);
  const pad = Math.max(w, h) * 0.06;
  const scale = 1000 / Math.max(w, h);
  return {
    box: `${-pad * scale} ${-pad * scale} ${(w + 2 * pad) * scale} ${(h + 2 * pad) * scale}`,
    unit: Math.max(w, h) * scale,
    xy: (lng: number, lat: number): [number, number] => [(lng - minLng) * k * scale, (maxLat - lat) * scale],
  };
}
