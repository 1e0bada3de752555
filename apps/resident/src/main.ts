import { createPinia } from 'pinia';
import { showToast } from 'vant';
import { createApp } from 'vue';
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import App from './App.vue';
import { setConsentRequiredHandler, setUnauthenticatedHandler } from './api';
import { restoreElderMode } from './composables/use-elder-mode';
import { i18n, restoreLocale } from './i18n';
import { router } from './router';
import { useSessionStore } from './stores/session';
import './styles/theme.css';

restoreElderMode();

const app = createApp(App);
const pinia = createPinia();
app.use(pinia).use(i18n).use(router);

// A request that needed a session got 401: the session expired or was revoked elsewhere.
setUnauthenticatedHandler(async (error) => {
  const session = useSessionStore(pinia);
  const wasSignedIn = session.signedIn;
  session.expire();
  const current = router.currentRoute.value;
  if (current.name === 'login') return;
  const expired = wasSignedIn || error.code === 'session-expired';
  if (expired) showToast(i18n.global.t('session.expired'));
  await router.push({
    name: 'login',
    query: { redirect: current.fullPath, ...(expired ? { reason: 'expired' } : {}) },
  });
});

// A new version of the privacy notice came out while signed in: ask before going on.
setConsentRequiredHandler(async () => {
  const current = router.currentRoute.value;
  if (current.name === 'privacy-consent') return;
  await useSessionStore(pinia).load(true);
  await router.push({ name: 'privacy-consent', query: { redirect: current.fullPath } });
});

restoreLocale()
  .catch(() => {})
  .finally(() => app.mount('#app'));
