import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '@/api';

/** How often the bell asks for the unread count while the page is visible. */
export const POLL_MS = 20_000;
/** After failures the wait doubles up to this (the server is down, or the network). */
export const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * The unread count behind the header's bell, kept fresh without a reload: it polls
 * `GET /messages/unread-count` (one indexed count) every 20 s while the tab is visible, at once
 * when the tab comes back or the window regains focus, and backs off (doubling to 5 min) while
 * requests fail. Polling rather than a push channel: see docs/decisions.md.
 */
export const useInboxStore = defineStore('inbox', () => {
  const unread = ref(0);
  const latest = ref<string | null>(null);
  /** Bumped when a message came in since the last look (the bell rings once). */
  const arrivals = ref(0);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let running = false;
  let inFlight: Promise<void> | null = null;

  async function refresh(): Promise<void> {
    inFlight ??= (async () => {
      try {
        const c = await api.messages.count();
        if (c.latest && c.latest !== latest.value && latest.value !== null && c.unread > unread.value)
          arrivals.value++;
        unread.value = c.unread;
        latest.value = c.latest;
        failures = 0;
      } catch {
        failures++;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!running || document.visibilityState === 'hidden') return;
    const wait = Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
    timer = setTimeout(async () => {
      await refresh();
      schedule();
    }, wait);
  }

  const wake = async () => {
    if (!running || document.visibilityState === 'hidden') return;
    await refresh();
    schedule();
  };
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      if (timer) clearTimeout(timer);
      timer = null;
    } else void wake();
  };

  /** Starts polling (the layout calls it once signed in). */
  function start() {
    if (running) return;
    running = true;
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('focus', wake);
    void wake();
  }

  function stop() {
    running = false;
    if (timer) clearTimeout(timer);
    timer = null;
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('focus', wake);
  }

  /** After this page marked messages read: the count the server answered. */
  function set(count: number) {
    unread.value = count;
    if (count === 0) latest.value = null;
  }

  return { unread, latest, arrivals, refresh, start, stop, set };
});
