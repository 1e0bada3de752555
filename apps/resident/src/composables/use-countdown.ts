import { onBeforeUnmount, ref } from 'vue';

/** A whole-second countdown (the resend button), measured against the clock so a paused tab catches up. */
export function useCountdown() {
  const remaining = ref(0);
  let timer: ReturnType<typeof setInterval> | undefined;
  let endsAt = 0;

  function tick() {
    remaining.value = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    if (remaining.value === 0) stop();
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = undefined;
  }
  function start(seconds: number) {
    stop();
    endsAt = Date.now() + seconds * 1000;
    tick();
    if (remaining.value > 0) timer = setInterval(tick, 250);
  }

  onBeforeUnmount(stop);
  return { remaining, start, stop };
}
