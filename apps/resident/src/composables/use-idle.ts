import { onBeforeUnmount, onMounted, ref } from 'vue';

const EVENTS = [
  'pointerdown',
  'pointermove',
  'touchstart',
  'keydown',
  'wheel',
  'mousemove',
  'scroll',
] as const;

/**
 * Counts down from the last touch, key, mouse or scroll. `remaining` is in whole seconds; `onIdle`
 * runs once when it reaches zero (and again only after new activity and a new full timeout).
 * Measured against the clock, so a sleeping screen catches up.
 */
export function useIdle(timeoutMs: number, onIdle: () => void) {
  const remaining = ref(Math.ceil(timeoutMs / 1000));
  let last = Date.now();
  let fired = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  function touch() {
    last = Date.now();
    fired = false;
    remaining.value = Math.ceil(timeoutMs / 1000);
  }

  function tick() {
    const left = timeoutMs - (Date.now() - last);
    remaining.value = Math.max(0, Math.ceil(left / 1000));
    if (left <= 0 && !fired) {
      fired = true;
      onIdle();
    }
  }

  onMounted(() => {
    for (const e of EVENTS) window.addEventListener(e, touch, { passive: true, capture: true });
    timer = setInterval(tick, 250);
  });
  onBeforeUnmount(() => {
    for (const e of EVENTS) window.removeEventListener(e, touch, { capture: true });
    clearInterval(timer);
  });

  return { remaining, touch };
}
