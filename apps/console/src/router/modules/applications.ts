import { DataAnalysis, Tickets } from '@element-plus/icons-vue';
import type { Permission } from '@linli/contracts';
import { markRaw } from 'vue';
import type { RouteLocationNormalized, RouteRecordRaw } from 'vue-router';
import { useSessionStore } from '@/stores/session';

/**
 * Community staff work applications with `applications.handle`; department staff see what was
 * forwarded to them with `applications.department`. The menu and the route check look at
 * `meta.permission`, so it names whichever of the two the signed-in account holds (before the
 * session is loaded it names none, and `beforeEnter` checks once it is).
 */
function workbenchPermission(): Permission | undefined {
  const session = useSessionStore();
  if (!session.loaded) return undefined;
  return !session.can('applications.handle') && session.can('applications.department')
    ? 'applications.department'
    : 'applications.handle';
}

function mayWork(_to: RouteLocationNormalized) {
  const session = useSessionStore();
  if (session.can('applications.handle') || session.can('applications.department')) return true;
  return { name: 'forbidden', replace: true };
}

/** Module `service-guide`: the application (办件) workbench and its statistics. */
const routes: RouteRecordRaw[] = [
  {
    path: 'applications',
    name: 'applications',
    component: () => import('@/views/service-guide/applications/list.vue'),
    beforeEnter: mayWork,
    meta: {
      title: 'applications.menu',
      summary: 'applications.summary',
      get permission() {
        return workbenchPermission();
      },
      menu: { group: 'service', order: 20, icon: markRaw(Tickets) },
    },
    children: [
      {
        path: ':id',
        name: 'application-detail',
        component: () => import('@/views/service-guide/applications/detail.vue'),
        meta: {
          title: 'applications.detailTitle',
          get permission() {
            return workbenchPermission();
          },
          activeMenu: 'applications',
        },
      },
    ],
  },
  {
    path: 'application-stats',
    name: 'application-stats',
    component: () => import('@/views/service-guide/statistics/index.vue'),
    beforeEnter: mayWork,
    meta: {
      title: 'applications.stats.menu',
      summary: 'applications.stats.summary',
      get permission() {
        return workbenchPermission();
      },
      menu: { group: 'service', order: 25, icon: markRaw(DataAnalysis) },
    },
  },
];

export default routes;
