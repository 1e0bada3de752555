import { Message } from '@element-plus/icons-vue';
import { markRaw } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

/**
 * Module `messages`: the inbox (消息中心) every signed-in staff member has, and their
 * notification settings. Messages link to `/console/...` pages; the inbox routes them here.
 */
const routes: RouteRecordRaw[] = [
  {
    path: 'messages',
    name: 'inbox',
    component: () => import('@/views/messages/inbox/index.vue'),
    meta: {
      title: 'inbox.menu',
      summary: 'inbox.summary',
      menu: { group: 'workbench', order: 5, icon: markRaw(Message) },
    },
  },
  {
    path: 'messages/settings',
    name: 'inbox-settings',
    component: () => import('@/views/messages/settings/index.vue'),
    meta: { title: 'inbox.prefs.title', activeMenu: 'inbox' },
  },
];

export default routes;
