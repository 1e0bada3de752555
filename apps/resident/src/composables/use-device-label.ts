import { useI18n } from 'vue-i18n';

/** A short, human description of a session's browser and device from its user agent. */
export function useDeviceLabel() {
  const { t } = useI18n();

  return (userAgent: string | null): string => {
    const ua = userAgent ?? '';
    if (!ua) return t('device.unknown');
    let os = '';
    if (/HarmonyOS|OpenHarmony/i.test(ua)) os = t('device.harmony');
    else if (/iPad/.test(ua)) os = t('device.ipad');
    else if (/iPhone|iPod/.test(ua)) os = t('device.iphone');
    else if (/Android/i.test(ua)) os = t('device.android');
    else if (/Windows/i.test(ua)) os = t('device.windows');
    else if (/Macintosh|Mac OS X/.test(ua)) os = t('device.mac');
    else if (/Linux|X11/.test(ua)) os = t('device.linux');

    let app = '';
    if (/MicroMessenger/i.test(ua)) app = t('device.wechat');
    else if (/Edg\//.test(ua)) app = t('device.browser', { name: 'Edge' });
    else if (/Firefox\//.test(ua)) app = t('device.browser', { name: 'Firefox' });
    else if (/(Headless)?Chrome\/|CriOS\//.test(ua)) app = t('device.browser', { name: 'Chrome' });
    else if (/Safari\//.test(ua)) app = t('device.browser', { name: 'Safari' });

    if (app && os) return t('device.on', { app, os });
    return app || os || t('device.unknown');
  };
}
