import { useI18n } from 'vue-i18n';

/** 早上好 / 中午好 / 下午好 / 晚上好 by the device's clock. */
export function useGreeting() {
  const { t } = useI18n();
  return (now = new Date()): string => {
    const h = now.getHours();
    if (h >= 5 && h < 11) return t('greeting.morning');
    if (h >= 11 && h < 13) return t('greeting.noon');
    if (h >= 13 && h < 18) return t('greeting.afternoon');
    return t('greeting.evening');
  };
}
