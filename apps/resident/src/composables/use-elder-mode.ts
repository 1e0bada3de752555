import { computed, ref } from 'vue';

/**
 * 长辈版 (elder mode): larger type and touch targets, stronger contrast and a home page of a few
 * big tiles, after the national 适老化 guidelines for government apps (《互联网应用适老化及无障碍
 * 改造专项行动方案》). Chosen on 我的 and remembered on this device; the service-room kiosk turns
 * it on for as long as a kiosk page is open. The look is one class on <html> (styles/theme.css).
 */
const KEY = 'linli.elder';

function readChoice(): boolean {
  try {
    return localStorage.getItem(KEY) === 'on';
  } catch {
    return false;
  }
}

const chosen = ref(readChoice());
const kiosk = ref(false);
const active = computed(() => chosen.value || kiosk.value);

function apply() {
  const html = document.documentElement.classList;
  html.toggle('elder', active.value);
  // The kiosk's own layout is large already: it takes the contrast and targets, not the zoom.
  html.toggle('elder-kiosk', kiosk.value);
}

/** Applies the device's choice before the first page renders (main.ts). */
export function restoreElderMode() {
  apply();
}

/** The kiosk layout: on while it is mounted, back to the device's choice after. */
export function setKioskElderMode(on: boolean) {
  kiosk.value = on;
  apply();
}

export function useElderMode() {
  return {
    /** Whether pages render in elder mode now (the device's choice, or the kiosk). */
    active,
    /** The device's own choice, what the switch on 我的 shows. */
    chosen: computed(() => chosen.value),
    set(on: boolean) {
      chosen.value = on;
      try {
        if (on) localStorage.setItem(KEY, 'on');
        else localStorage.removeItem(KEY);
      } catch {
        // Private mode: the choice lasts for this visit only.
      }
      apply();
    },
  };
}
