import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { serviceFacets } from './api';
import { i18n } from './i18n';
import { HOME_NOTICES, useNoticesStore } from './stores/notices';
import { useSessionStore } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** The bottom tab this page belongs to; pages without one hide the tab bar. */
    tab?: 'home' | 'me';
    /** i18n key of the page title (WeChat shows document.title in its top bar). */
    title?: string;
    /** The service-room kiosk: full-screen large-type layout, no phone column, no tab bar. */
    kiosk?: boolean;
    /** Starts the page's first data request while the session is asked for (see beforeEach). */
    prefetch?: () => void;
  }
}

/** Every page is its own lazy chunk: the entry holds only the shell. */
export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    {
      path: '/',
      name: 'home',
      component: () => import('./pages/home/index.vue'),
      meta: {
        tab: 'home',
        // The notices of the community chosen on this device, or the district's: a signed-in
        // resident whose account names another community asks again once the session is known.
        prefetch: () => useNoticesStore().prefetch(useSessionStore().homeUnit?.id ?? null, HOME_NOTICES),
      },
    },
    {
      path: '/notices',
      name: 'notices',
      component: () => import('./pages/notices/index.vue'),
      meta: { title: 'notices.title' },
    },
    {
      path: '/notices/:id',
      name: 'notice',
      component: () => import('./pages/notices/detail.vue'),
      props: true,
      meta: { title: 'notices.detailTitle' },
    },
    {
      path: '/guide',
      name: 'guide',
      component: () => import('./pages/guide/index.vue'),
      meta: { title: 'guide.title', prefetch: () => void serviceFacets().catch(() => {}) },
    },
    {
      path: '/guide/:id',
      name: 'guide-item',
      component: () => import('./pages/guide/item.vue'),
      props: true,
      meta: { title: 'guide.itemTitle' },
    },
    {
      path: '/guide/:id/apply',
      name: 'apply',
      component: () => import('./pages/apply/index.vue'),
      props: true,
      meta: { title: 'apply.title' },
    },
    {
      path: '/applications',
      name: 'applications',
      component: () => import('./pages/applications/index.vue'),
      meta: { title: 'applications.title' },
    },
    {
      path: '/applications/:id',
      name: 'application',
      component: () => import('./pages/applications/detail.vue'),
      props: true,
      meta: { title: 'applications.detailTitle' },
    },
    {
      path: '/office-hours',
      name: 'office-hours',
      component: () => import('./pages/office-hours/index.vue'),
      meta: { title: 'officeHours.title' },
    },
    {
      path: '/office-hours/mine',
      name: 'office-hours-mine',
      component: () => import('./pages/office-hours/mine.vue'),
      meta: { title: 'officeHours.mineTitle' },
    },
    {
      path: '/office-hours/:id',
      name: 'office-hour',
      component: () => import('./pages/office-hours/detail.vue'),
      props: true,
      meta: { title: 'officeHours.detailTitle' },
    },
    // 城社共治: 随手拍 reports, 我的诉求 and the community board (static paths before `/cases/:id`).
    {
      path: '/cases',
      name: 'cases',
      component: () => import('./pages/cases/index.vue'),
      meta: { title: 'cases.mineTitle' },
    },
    {
      path: '/cases/report',
      name: 'case-report',
      component: () => import('./pages/cases/report.vue'),
      meta: { title: 'cases.reportTitle' },
    },
    {
      path: '/cases/board',
      name: 'case-board',
      component: () => import('./pages/cases/board.vue'),
      meta: { title: 'cases.boardTitle' },
    },
    {
      path: '/cases/:id',
      name: 'case',
      component: () => import('./pages/cases/detail.vue'),
      props: true,
      meta: { title: 'cases.detailTitle' },
    },
    // 事项准入: the three lists in force and the certificate question, public.
    {
      path: '/admission/lists',
      name: 'admission-lists',
      component: () => import('./pages/admission/lists.vue'),
      meta: { title: 'admission.listsTitle' },
    },
    {
      path: '/admission/certificates',
      name: 'admission-certificates',
      component: () => import('./pages/admission/certificates.vue'),
      meta: { title: 'admission.certTitle' },
    },
    {
      path: '/messages',
      name: 'messages',
      component: () => import('./pages/messages/index.vue'),
      meta: { title: 'messages.title' },
    },
    {
      path: '/messages/settings',
      name: 'message-settings',
      component: () => import('./pages/messages/settings.vue'),
      meta: { title: 'messages.settings.title' },
    },
    // The kiosk is its own lazy chunk tree: nothing of it is in the phone app's entry.
    {
      path: '/kiosk',
      component: () => import('./pages/kiosk/layout.vue'),
      meta: { kiosk: true, title: 'kiosk.title' },
      children: [
        { path: '', name: 'kiosk', component: () => import('./pages/kiosk/home.vue') },
        {
          path: 'item/:id',
          name: 'kiosk-item',
          component: () => import('./pages/kiosk/item.vue'),
          props: true,
        },
        { path: 'login', name: 'kiosk-login', component: () => import('./pages/kiosk/login.vue') },
      ],
    },
    {
      path: '/login',
      name: 'login',
      component: () => import('./pages/login/index.vue'),
      meta: { title: 'login.title' },
    },
    // 个人信息保护: the notice, the consent at sign-in, my data, closing the account.
    {
      path: '/privacy',
      name: 'privacy-notice',
      component: () => import('./pages/privacy/notice.vue'),
      meta: { title: 'privacy.noticeTitle' },
    },
    {
      path: '/privacy/consent',
      name: 'privacy-consent',
      component: () => import('./pages/privacy/consent.vue'),
      meta: { title: 'privacy.consentTitle' },
    },
    {
      path: '/me/privacy',
      name: 'my-privacy',
      component: () => import('./pages/privacy/mine.vue'),
      meta: { title: 'privacy.mineTitle' },
    },
    {
      path: '/me/close',
      name: 'close-account',
      component: () => import('./pages/privacy/close.vue'),
      meta: { title: 'privacy.closeTitle' },
    },
    {
      path: '/me',
      name: 'me',
      component: () => import('./pages/me/index.vue'),
      meta: { tab: 'me', title: 'me.title' },
    },
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./pages/not-found.vue'),
      meta: { title: 'notFound.title' },
    },
  ],
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

/** A `?redirect=` target we are willing to go to: a path inside this app, never another site. */
export function safeRedirect(raw: unknown): string {
  const s = typeof raw === 'string' ? raw : '';
  return s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/login') ? s : '/';
}

/** Pages a signed-in resident may open before agreeing to the privacy notice in force. */
const WITHOUT_CONSENT = new Set([
  'privacy-consent',
  'privacy-notice',
  'my-privacy',
  'close-account',
  'login',
]);

router.beforeEach(async (to) => {
  const session = useSessionStore();
  // The page's own chunk is fetched while the session is asked for: on a phone's slow link the two
  // round trips overlap instead of queueing (the router would load it only after this guard).
  for (const record of to.matched) {
    const page = record.components?.default;
    // A lazy page is a bare loader function (a functional component would carry `props` or a name).
    if (typeof page === 'function' && !('props' in page) && !('displayName' in page))
      void (page as () => Promise<unknown>)().catch(() => {});
  }
  // So is its first data, when it does not depend on the session (a visitor's notices).
  if (!session.loaded) to.meta.prefetch?.();
  await session.load();
  if (session.consentRequired && !WITHOUT_CONSENT.has(String(to.name)))
    return { name: 'privacy-consent', query: { redirect: to.fullPath } };
  if (to.name === 'login' && session.signedIn) return safeRedirect(to.query.redirect);
  return true;
});

export function pageTitle(route: RouteLocationNormalized): string {
  const app = i18n.global.t('app.name');
  return route.meta.title ? `${i18n.global.t(route.meta.title)} · ${app}` : app;
}

router.afterEach((to) => {
  document.title = pageTitle(to);
});

// A 随手拍 report kept on the phone while offline is sent as soon as the app is open again (and
// online), whatever page that is; the sender is its own lazy chunk, loaded only when one is waiting.
router.isReady().then(() => {
  let pending = false;
  try {
    pending = !!localStorage.getItem('linli.caseDrafts');
  } catch {}
  if (pending) void import('./composables/use-case-drafts').then((m) => m.startCaseDraftSync());
});
