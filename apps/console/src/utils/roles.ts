import { BUILT_IN_ROLES } from '@linli/contracts';
import { i18n } from '@/locales';

const byCode = new Map<string, (typeof BUILT_IN_ROLES)[number]>(BUILT_IN_ROLES.map((r) => [r.code, r]));

/** A role's name in the current language (contracts hold both); unknown codes fall back to the server's name. */
export function roleName(code: string, serverName?: string): string {
  const role = byCode.get(code);
  const locale = i18n.global.locale.value;
  if (role) return locale === 'en' ? role.name.en : role.name['zh-CN'];
  return serverName ?? code;
}
