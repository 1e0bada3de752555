import { defineStore } from 'pinia';
import { onScopeDispose, ref } from 'vue';
import { i18n, type Locale, setLocale } from '@/locales';

const NARROW = '(max-width: 768px)';

/** Screen size, the mobile menu drawer and the language. */
export const useAppStore = defineStore('app', () => {
  const query = window.matchMedia(NARROW);
  const narrow = ref(query.matches);
  const drawerOpen = ref(false);
  const onChange = (e: MediaQueryListEvent) => {
    narrow.value = e.matches;
    if (!e.matches) drawerOpen.value = false;
  };
  query.addEventListener('change', onChange);
  onScopeDispose(() => query.removeEventListener('change', onChange));

  const locale = ref<Locale>(i18n.global.locale.value);
  async function changeLocale(l: Locale) {
    await setLocale(l);
    locale.value = l;
  }

  return { narrow, drawerOpen, locale, changeLocale };
});
