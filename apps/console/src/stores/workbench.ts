import type { Workbench } from '@linli/contracts';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '@/api';
import { useSessionStore } from './session';

/**
 * The signed-in person's 工作台 (GET /workbench): the home page shows it, and the side menu leaves
 * out a queue the person has no card for (a district administrator holds cases.handle, but is in
 * no squad or department: 我的任务 would always be empty). Loaded once per account, refreshed on
 * the home page.
 */
export const useWorkbenchStore = defineStore('workbench', () => {
  const data = ref<Workbench | null>(null);
  const error = ref<unknown>(null);
  const loading = ref(false);
  let owner: string | null = null;
  let pending: Promise<void> | null = null;

  async function load(force = false): Promise<void> {
    const me = useSessionStore().me;
    if (me?.kind !== 'staff') return;
    if (owner !== me.id) {
      owner = me.id;
      data.value = null;
      error.value = null;
    } else if (!force && (data.value || error.value)) return;
    if (pending) return pending;
    loading.value = true;
    pending = api
      .workbench()
      .then((w) => {
        if (owner === me.id) {
          data.value = w;
          error.value = null;
        }
      })
      .catch((e) => {
        error.value = e;
      })
      .finally(() => {
        loading.value = false;
        pending = null;
      });
    return pending;
  }

  /**
   * Whether a menu entry tied to a card shows: once the workbench is known, only when the card is
   * there; while it loads, not yet; when it failed, yes (the server still decides).
   */
  function shows(cardId: string | undefined): boolean {
    if (!cardId) return true;
    if (error.value) return true;
    return !!data.value?.cards.some((c) => c.id === cardId);
  }

  return { data, error, loading, load, shows };
});
