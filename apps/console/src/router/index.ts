import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { setUnauthenticatedHandler } from '@/api';
import { i18n } from '@/locales';
import { useScopeStore } from '@/stores/scope';
import { useSessionStore } from '@/stores/session';
import './types';

// Every file in ./modules contributes pages (and, through `meta.menu`, side-menu entries).
const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./modules/*.ts', { eager: true });
const pages = Object.values(modules).flatMap((m) => m.default);

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/login/index.vue'),
    meta: { public: true, title: 'login.title' },
  },
  {
    path: '/',
    component: () => import('@/layouts/basic-layout.vue'),
    children: [
      ...pages,
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('@/views/error/forbidden.vue'),
        meta: { title: 'result.forbiddenTitle' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/error/not-found.vue'),
        meta: { title: 'result.notFoundTitle' },
      },
    ],
  },
];

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

/** Side-menu entries: pages with `meta.menu` (order within group). */
export function menuRoutes() {
  return router
    .getRoutes()
    .filter((r) => r.meta.menu && r.name)
    .sort((a, b) => (a.meta.menu?.order ?? 0) - (b.meta.menu?.order ?? 0));
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const session = useSessionStore();
  let me = session.me;
  try {
    me = await session.load();
  } catch {
    // Server unreachable: let the page show its own error rather than bouncing to sign-in.
    return true;
  }
  // Residents (signed in through the resident app) have no console: sign in as staff.
  if (me?.kind !== 'staff') return { name: 'login', query: { redirect: to.fullPath } };
  if (me.mustChangePassword) return { name: 'login', query: { redirect: to.fullPath, step: 'password' } };
  await useScopeStore().init();
  if (!session.can(to.meta.permission)) return { name: 'forbidden', replace: true };
  return true;
});

router.afterEach((to) => {
  const { t } = i18n.global;
  const title = to.meta.title ? t(to.meta.title) : '';
  document.title = title ? `${title} · ${t('app.product')}` : t('app.product');
});

// A 401 anywhere (session expired or revoked): back to sign-in, then back here.
setUnauthenticatedHandler(() => {
  useSessionStore().forget();
  useScopeStore().reset();
  const current = router.currentRoute.value;
  if (current.name !== 'login') {
    void router.replace({ name: 'login', query: { redirect: current.fullPath } });
  }
});
