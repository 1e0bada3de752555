import { api } from '@/api';

/**
 * Ends a kiosk visit: signs out on the server, forgets everything this app kept in the browser
 * (localStorage `linli.*`, sessionStorage) and reloads the kiosk home, so no store, cache or
 * page of the previous person survives in memory.
 */
export async function wipeKiosk(): Promise<void> {
  try {
    await api.auth.logout();
  } catch {
    // Nobody was signed in, or the network is down: the wipe below still happens.
  }
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith('linli.')) localStorage.removeItem(key);
    sessionStorage.clear();
  } catch {
    // Storage disabled: nothing was kept there.
  }
  window.location.replace('/kiosk');
}

/** Whether the kiosk holds anything of a visitor (a sign-in, ticks, a chosen community). */
export function kioskHasTraces(): boolean {
  try {
    return Object.keys(localStorage).some((k) => k.startsWith('linli.')) || sessionStorage.length > 0;
  } catch {
    return false;
  }
}
