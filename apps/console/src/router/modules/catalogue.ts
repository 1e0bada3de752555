import { Collection, House, Reading } from '@element-plus/icons-vue';
import { markRaw } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

/** Module `service-guide`: the catalogue editor, its search synonyms, community offerings. */
const routes: RouteRecordRaw[] = [
  {
    path: 'catalogue',
    name: 'catalogue',
    component: () => import('@/views/service-guide/catalogue/list.vue'),
    meta: {
      title: 'catalogue.menu',
      summary: 'catalogue.summary',
      permission: 'catalogue.manage',
      menu: { group: 'service', order: 10, icon: markRaw(Reading) },
    },
  },
  {
    path: 'catalogue/new',
    name: 'catalogue-new',
    component: () => import('@/views/service-guide/catalogue/form.vue'),
    meta: { title: 'catalogue.editor.newTitle', permission: 'catalogue.manage', activeMenu: 'catalogue' },
  },
  {
    path: 'catalogue/:id',
    name: 'catalogue-item',
    component: () => import('@/views/service-guide/catalogue/form.vue'),
    meta: { title: 'catalogue.editor.title', permission: 'catalogue.manage', activeMenu: 'catalogue' },
  },
  {
    path: 'catalogue-synonyms',
    name: 'catalogue-synonyms',
    component: () => import('@/views/service-guide/catalogue/synonyms.vue'),
    meta: {
      title: 'catalogue.synonyms.menu',
      summary: 'catalogue.synonyms.summary',
      permission: 'catalogue.manage',
      menu: { group: 'service', order: 11, icon: markRaw(Collection) },
    },
  },
  {
    path: 'offerings',
    name: 'offerings',
    component: () => import('@/views/service-guide/offerings/index.vue'),
    meta: {
      title: 'catalogue.offerings.menu',
      summary: 'catalogue.offerings.summary',
      permission: 'offerings.manage',
      menu: { group: 'service', order: 12, icon: markRaw(House) },
    },
  },
];

export default routes;
