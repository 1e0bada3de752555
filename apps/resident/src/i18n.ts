import { Locale as VantLocale } from 'vant';
import { createI18n } from 'vue-i18n';
import zhCN from './locales/zh-CN';

/** The shape every locale must fill completely (the Chinese messages are the reference). */
export type Messages = typeof zhCN;
export type AppLocale = 'zh-CN' | 'en';
export const LOCALES: AppLocale[] = ['zh-CN', 'en'];

const STORAGE_KEY = 'linli.locale';

/** Chinese ships in the entry chunk; English loads on demand. */
export const i18n = createI18n<[Messages], AppLocale, false>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN } as Record<AppLocale, Messages>,
  missingWarn: false,
  fallbackWarn: false,
});

function storedLocale(): AppLocale | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'zh-CN' ? v : null;
  } catch {
    return null;
  }
}

/** Switches the UI language (ours and Vant's) and remembers the choice on this device. */
export async function setLocale(locale: AppLocale, remember = true): Promise<void> {
  if (locale === 'en') {
    const [messages, vant] = await Promise.all([import('./locales/en'), import('vant/es/locale/lang/en-US')]);
    i18n.global.setLocaleMessage('en', messages.default);
    VantLocale.use('en-US', vant.default);
  } else {
    const vant = await import('vant/es/locale/lang/zh-CN');
    VantLocale.use('zh-CN', vant.default);
  }
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Private mode in some in-app browsers: the choice lasts for this visit only.
    }
  }
}

/** Restores the language chosen earlier on this device (Chinese by default). */
export async function restoreLocale(): Promise<void> {
  const locale = storedLocale();
  if (locale && locale !== 'zh-CN') await setLocale(locale, false);
}
