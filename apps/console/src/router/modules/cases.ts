import {
  Bell,
  Checked,
  Collection,
  DataLine,
  Guide,
  List,
  MapLocation,
  Promotion,
  Position,
  UserFilled,
} from '@element-plus/icons-vue';
import type { Permission } from '@linli/contracts';
import { markRaw } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

/**
 * Module `cases` (城社共治): the dispatch board and its queues (one list page with a preset each),
 * the map, the statistics, the squads and the set-up pages (patrols, categories, routing rules).
 * Each list opens a case in a drawer (child `:id`), so
 * the messages' links `/console/cases/<id>` land on the board with the case open.
 */
const list = () => import('@/views/cases/board/list.vue');
const detail = () => import('@/views/cases/board/detail.vue');

function queue(
  path: string,
  name: string,
  preset: 'board' | 'mine' | 'verify' | 'supervision',
  permission: Permission,
  order: number,
  icon: object,
  workbenchCard?: string,
): RouteRecordRaw {
  return {
    path,
    name,
    component: list,
    props: { preset },
    meta: {
      title: `cases.menu.${preset}`,
      summary: `cases.summary.${preset}`,
      permission,
      menu: { group: 'governance', order, icon: markRaw(icon) },
      workbenchCard,
    },
    children: [
      {
        path: ':id',
        name: `${name}-detail`,
        component: detail,
        meta: { title: 'cases.detailTitle', permission, activeMenu: name },
      },
    ],
  };
}

const routes: RouteRecordRaw[] = [
  queue('cases', 'cases', 'board', 'cases.read', 10, Promotion),
  // Only for handlers: cases.handle without a squad or department (the district admin) has no queue.
  queue('case-tasks', 'case-tasks', 'mine', 'cases.handle', 20, List, 'cases.toAccept'),
  queue('case-verify', 'case-verify', 'verify', 'cases.verify', 30, Checked),
  queue('case-supervision', 'case-supervision', 'supervision', 'cases.read', 40, Bell),
  {
    path: 'case-map',
    name: 'case-map',
    component: () => import('@/views/cases/map/index.vue'),
    meta: {
      title: 'cases.menu.map',
      summary: 'cases.summary.map',
      permission: 'cases.read',
      menu: { group: 'governance', order: 50, icon: markRaw(MapLocation) },
    },
    children: [
      {
        path: ':id',
        name: 'case-map-detail',
        component: detail,
        meta: { title: 'cases.detailTitle', permission: 'cases.read', activeMenu: 'case-map' },
      },
    ],
  },
  {
    path: 'case-stats',
    name: 'case-stats',
    component: () => import('@/views/cases/stats/index.vue'),
    meta: {
      title: 'cases.menu.stats',
      summary: 'cases.summary.stats',
      permission: 'cases.read',
      menu: { group: 'governance', order: 60, icon: markRaw(DataLine) },
    },
  },
  {
    path: 'case-squads',
    name: 'case-squads',
    component: () => import('@/views/cases/squads/index.vue'),
    meta: {
      title: 'cases.menu.squads',
      summary: 'cases.summary.squads',
      permission: 'cases.read',
      menu: { group: 'governance', order: 70, icon: markRaw(UserFilled) },
    },
  },
  {
    path: 'case-patrols',
    name: 'case-patrols',
    component: () => import('@/views/cases/patrols/list.vue'),
    meta: {
      title: 'cases.menu.patrols',
      summary: 'cases.summary.patrols',
      permission: 'cases.read',
      menu: { group: 'governance', order: 75, icon: markRaw(Position) },
    },
  },
  {
    path: 'case-patrols/:id',
    name: 'case-patrol-detail',
    component: () => import('@/views/cases/patrols/detail.vue'),
    meta: { title: 'cases.patrols.detailTitle', permission: 'cases.read', activeMenu: 'case-patrols' },
  },
  {
    path: 'case-categories',
    name: 'case-categories',
    component: () => import('@/views/cases/categories/index.vue'),
    meta: {
      title: 'cases.menu.categories',
      summary: 'cases.summary.categories',
      permission: 'cases.read',
      menu: { group: 'governance', order: 80, icon: markRaw(Collection) },
    },
  },
  {
    path: 'case-routing',
    name: 'case-routing',
    component: () => import('@/views/cases/routing/index.vue'),
    meta: {
      title: 'cases.menu.routing',
      summary: 'cases.summary.routing',
      permission: 'cases.read',
      menu: { group: 'governance', order: 90, icon: markRaw(Guide) },
    },
  },
];

export default routes;
