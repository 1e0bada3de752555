import { Timer } from '@element-plus/icons-vue';
import { markRaw } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

/** The job runner's queue and dead letters (server core/jobs, mounted by `identity`). */
const routes: RouteRecordRaw[] = [
  {
    path: 'jobs',
    name: 'jobs',
    component: () => import('@/views/identity/jobs/list.vue'),
    meta: {
      title: 'jobs.menu',
      summary: 'jobs.summary',
      permission: 'jobs.manage',
      menu: { group: 'system', order: 40, icon: markRaw(Timer) },
    },
    children: [
      {
        path: ':id',
        name: 'job-detail',
        component: () => import('@/views/identity/jobs/detail.vue'),
        meta: { title: 'jobs.detailTitle', permission: 'jobs.manage', activeMenu: 'jobs' },
      },
    ],
  },
];

export default routes;
