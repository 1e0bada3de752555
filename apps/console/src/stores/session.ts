import type { Me, Permission } from '@linli/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '@/api';

/** Who is signed in (GET /me), loaded once per page load and after each sign-in step. */
export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null);
  const loaded = ref(false);
  let pending: Promise<Me | null> | null = null;

  async function load(force = false): Promise<Me | null> {
    if (loaded.value && !force) return me.value;
    if (!pending) {
      pending = api.me
        .get()
        .then((m) => {
          me.value = m;
          loaded.value = true;
          return m;
        })
        .finally(() => {
          pending = null;
        });
    }
    return pending;
  }

  function set(value: Me | null) {
    me.value = value;
    loaded.value = true;
  }

  const permissions = computed(() => new Set(me.value?.permissions ?? []));

  /** Whether the caller holds `permission` somewhere (menus and routes; the server checks the scope). */
  function can(permission: Permission | undefined): boolean {
    return !permission || permissions.value.has(permission);
  }

  async function signOut() {
    try {
      await api.auth.logout();
    } catch {}
    me.value = null;
    loaded.value = true;
  }

  /** Forget the caller without calling the server (after a 401). */
  function forget() {
    me.value = null;
    loaded.value = true;
  }

  return { me, loaded, load, set, can, signOut, forget };
});
