import { i18n } from '@/locales';

/** A short, translated description of a browser from its user agent. */
export function describeUserAgent(ua: string | null | undefined): string {
  const { t } = i18n.global;
  if (!ua) return t('profile.unknownDevice');
  const os = /Android/i.test(ua)
    ? 'Android'
    : /iPhone|iPad/i.test(ua)
      ? 'iOS'
      : /Windows/i.test(ua)
        ? 'Windows'
        : /Mac OS X/i.test(ua)
          ? 'macOS'
          : /Linux/i.test(ua)
            ? 'Linux'
            : '';
  const browser = /MicroMessenger/i.test(ua)
    ? 'wechat'
    : /Edg\//.test(ua)
      ? 'edge'
      : /Firefox\//.test(ua)
        ? 'firefox'
        : /Chrome\/|Chromium\//.test(ua)
          ? 'chrome'
          : /Safari\//.test(ua)
            ? 'safari'
            : 'other';
  const name = t(`browsers.${browser}`);
  return os ? `${name} · ${os}` : name;
}
