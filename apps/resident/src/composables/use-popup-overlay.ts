import type { OverlayProps } from 'vant';
import { computed } from 'vue';
import { useI18n } from 'vue-i18n';

/**
 * Props for a Vant popup's overlay (`:overlay-props`): a tap on it closes the popup, and Vant makes
 * it a role=button with no name, which screen readers announce as just "button" (axe:
 * aria-command-name). This names it 关闭.
 */
export function usePopupOverlay() {
  const { t } = useI18n();
  // Vant types only its own props; the attribute reaches the overlay's element all the same.
  return computed(() => ({ 'aria-label': t('common.close') }) as Partial<OverlayProps>);
}
