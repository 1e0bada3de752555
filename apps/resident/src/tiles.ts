import type { RouteLocationRaw } from 'vue-router';

/**
 * The home-page tiles: one per module that exists. A new module adds its entry here (and its
 * route); nothing else on the home page changes. No tile ever points at a page that is not there.
 */
export interface HomeTile {
  key: string;
  /** i18n keys */
  title: string;
  description: string;
  /** A Vant icon name. */
  icon: string;
  to: RouteLocationRaw;
}

export const HOME_TILES: HomeTile[] = [
  {
    key: 'guide',
    title: 'tiles.guide',
    description: 'tiles.guideDesc',
    icon: 'guide-o',
    to: { name: 'guide' },
  },
  {
    key: 'applications',
    title: 'tiles.applications',
    description: 'tiles.applicationsDesc',
    icon: 'orders-o',
    to: { name: 'applications' },
  },
  {
    key: 'office-hours',
    title: 'officeHours.tile',
    description: 'officeHours.tileDesc',
    icon: 'calendar-o',
    to: { name: 'office-hours' },
  },
  {
    key: 'case-report',
    title: 'cases.tileReport',
    description: 'cases.tileReportDesc',
    icon: 'photograph',
    to: { name: 'case-report' },
  },
  {
    key: 'cases',
    title: 'cases.tileMine',
    description: 'cases.tileMineDesc',
    icon: 'comment-o',
    to: { name: 'cases' },
  },
  {
    key: 'certificates',
    title: 'admission.tile',
    description: 'admission.tileDesc',
    icon: 'certificate',
    to: { name: 'admission-certificates' },
  },
  {
    key: 'notices',
    title: 'tiles.notices',
    description: 'tiles.noticesDesc',
    icon: 'volume-o',
    to: { name: 'notices' },
  },
  { key: 'me', title: 'tiles.me', description: 'tiles.meDesc', icon: 'user-circle-o', to: { name: 'me' } },
];

/**
 * 长辈版's home: the services older residents use most, as big tiles (办事指南, 随手拍, 我的办件,
 * 社区公告); everything else stays one tap away on 我的 and in the guide.
 */
export const ELDER_TILES: string[] = ['guide', 'case-report', 'applications', 'notices'];
