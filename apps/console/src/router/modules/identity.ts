import { Document, OfficeBuilding, User } from '@element-plus/icons-vue';
import { markRaw } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

/** Module `identity`: org tree, accounts and grants, audit, the caller's own account. */
const routes: RouteRecordRaw[] = [
  {
    path: 'org-units',
    name: 'org-units',
    component: () => import('@/views/identity/org-units/list.vue'),
    meta: {
      title: 'menu.org',
      summary: 'home.links.org',
      permission: 'org.read',
      menu: { group: 'system', order: 10, icon: markRaw(OfficeBuilding) },
    },
  },
  {
    path: 'accounts',
    name: 'accounts',
    component: () => import('@/views/identity/accounts/list.vue'),
    meta: {
      title: 'menu.accounts',
      summary: 'home.links.accounts',
      permission: 'accounts.read',
      menu: { group: 'system', order: 20, icon: markRaw(User) },
    },
    children: [
      {
        path: ':id',
        name: 'account-detail',
        component: () => import('@/views/identity/accounts/detail.vue'),
        meta: { title: 'accounts.detailTitle', permission: 'accounts.read', activeMenu: 'accounts' },
      },
    ],
  },
  {
    path: 'audit',
    name: 'audit',
    component: () => import('@/views/identity/audit/list.vue'),
    meta: {
      title: 'menu.audit',
      summary: 'home.links.audit',
      permission: 'audit.read',
      menu: { group: 'system', order: 30, icon: markRaw(Document) },
    },
    children: [
      {
        path: ':id',
        name: 'audit-detail',
        component: () => import('@/views/identity/audit/detail.vue'),
        meta: { title: 'audit.detailTitle', permission: 'audit.read', activeMenu: 'audit' },
      },
    ],
  },
  {
    path: 'me',
    name: 'profile',
    component: () => import('@/views/identity/profile/index.vue'),
    meta: { title: 'menu.profile', summary: 'home.links.profile' },
  },
];

export default routes;
