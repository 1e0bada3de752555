import { createI18n } from 'vue-i18n';
import { type Locale, LOCALES, type Messages } from './types';
import zhCN from './zh-CN';

const STORAGE_KEY = 'linli.console.locale';

function savedLocale(): Locale {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v && (LOCALES as string[]).includes(v)) return v as Locale;
  } catch {}
  return 'zh-CN';
}

/** zh-CN ships in the entry; English is fetched the first time someone switches to it. */
export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN } as Record<Locale, Messages>,
  missingWarn: false,
  fallbackWarn: false,
});

const loaded = new Set<Locale>(['zh-CN']);

export async function setLocale(locale: Locale) {
  if (!loaded.has(locale)) {
    const mod = await import('./en/index');
    i18n.global.setLocaleMessage(locale, mod.default);
    loaded.add(locale);
  }
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {}
}

/** Applies the locale the user chose last time (before the first render). */
export async function restoreLocale() {
  const locale = savedLocale();
  if (locale !== 'zh-CN') await setLocale(locale);
}

export type { Locale, Messages };
export { LOCALES };
