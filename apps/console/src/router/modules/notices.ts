import { Bell } from '@element-plus/icons-vue';
import { markRaw } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

/** Module `notices`: community notices for residents. */
const routes: RouteRecordRaw[] = [
  {
    path: 'notices',
    name: 'notices',
    component: () => import('@/views/notices/notices/list.vue'),
    meta: {
      title: 'menu.notices',
      summary: 'home.links.notices',
      permission: 'notices.manage',
      menu: { group: 'community', order: 10, icon: markRaw(Bell) },
    },
  },
];

export default routes;
