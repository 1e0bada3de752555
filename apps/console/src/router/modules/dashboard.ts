import { HomeFilled } from '@element-plus/icons-vue';
import { markRaw } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

const routes: RouteRecordRaw[] = [
  {
    path: '',
    name: 'home',
    component: () => import('@/views/dashboard/home/index.vue'),
    meta: { title: 'menu.home', menu: { group: 'workbench', order: 0, icon: markRaw(HomeFilled) } },
  },
];

export default routes;
