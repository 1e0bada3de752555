import { Box, DataLine, EditPen, Files, Notebook, Stamp, View } from '@element-plus/icons-vue';
import type { Permission } from '@linli/contracts';
import { markRaw } from 'vue';
import type { RouteLocationNormalized, RouteRecordRaw } from 'vue-router';
import { useSessionStore } from '@/stores/session';

/**
 * A request's detail is open to the admission office (`admission.review`), the filing department
 * (`admission.request`) and community secretaries asked for comments (`admission.comment`): the
 * route's one permission names whichever the signed-in account holds (the server decides the rest).
 */
const DETAIL: Permission[] = ['admission.review', 'admission.request', 'admission.comment'];
function detailPermission(): Permission | undefined {
  const session = useSessionStore();
  if (!session.loaded) return undefined;
  return DETAIL.find((p) => session.can(p)) ?? 'admission.review';
}
function mayOpenDetail(_to: RouteLocationNormalized) {
  const session = useSessionStore();
  return DETAIL.some((p) => session.can(p)) ? true : { name: 'forbidden', replace: true };
}

/** Module `admission` (事项准入): lists, requests, review, community inbox, oversight, burden. */
const routes: RouteRecordRaw[] = [
  {
    path: 'admission/lists',
    name: 'admission-lists',
    component: () => import('@/views/admission/lists/index.vue'),
    meta: {
      title: 'admission.listsPage.menu',
      summary: 'admission.listsPage.summary',
      permission: 'admission.lists',
      menu: { group: 'admission', order: 10, icon: markRaw(Notebook) },
    },
  },
  {
    path: 'admission/new',
    name: 'admission-new',
    component: () => import('@/views/admission/requests/form.vue'),
    meta: {
      title: 'admission.form.menu',
      summary: 'admission.form.summary',
      permission: 'admission.request',
      menu: { group: 'admission', order: 20, icon: markRaw(EditPen) },
    },
  },
  {
    path: 'admission/mine',
    name: 'admission-mine',
    component: () => import('@/views/admission/requests/list.vue'),
    props: { queue: 'mine' },
    meta: {
      title: 'admission.mine.menu',
      summary: 'admission.mine.summary',
      permission: 'admission.request',
      menu: { group: 'admission', order: 30, icon: markRaw(Files) },
    },
  },
  {
    path: 'admission/review',
    name: 'admission-review',
    component: () => import('@/views/admission/requests/list.vue'),
    props: { queue: 'review' },
    meta: {
      title: 'admission.review.menu',
      summary: 'admission.review.summary',
      permission: 'admission.review',
      menu: { group: 'admission', order: 40, icon: markRaw(Stamp) },
    },
  },
  {
    path: 'admission/requests/:id',
    name: 'admission-request',
    component: () => import('@/views/admission/requests/detail.vue'),
    beforeEnter: mayOpenDetail,
    meta: {
      title: 'admission.detail.title',
      get permission() {
        return detailPermission();
      },
    },
  },
  {
    path: 'admission/tasks',
    name: 'admission-tasks',
    component: () => import('@/views/admission/tasks/inbox.vue'),
    meta: {
      title: 'admission.inbox.menu',
      summary: 'admission.inbox.summary',
      permission: 'admission.inbox',
      menu: { group: 'admission', order: 50, icon: markRaw(Box) },
    },
  },
  {
    path: 'admission/oversight',
    name: 'admission-oversight',
    component: () => import('@/views/admission/oversight/index.vue'),
    meta: {
      title: 'admission.oversight.menu',
      summary: 'admission.oversight.summary',
      permission: 'admission.oversight',
      menu: { group: 'admission', order: 60, icon: markRaw(View) },
    },
  },
  {
    path: 'admission/burden',
    name: 'admission-burden',
    component: () => import('@/views/admission/burden/index.vue'),
    meta: {
      title: 'admission.burden.menu',
      summary: 'admission.burden.summary',
      permission: 'admission.burden',
      menu: { group: 'admission', order: 70, icon: markRaw(DataLine) },
    },
  },
];

export default routes;
