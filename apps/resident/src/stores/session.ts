import { ApiError } from '@linli/api-client';
import type { Me, OrgUnitRef } from '@linli/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '@/api';

const HOME_KEY = 'linli.home';

function readLocalHome(): OrgUnitRef | null {
  try {
    const raw = localStorage.getItem(HOME_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<OrgUnitRef>;
    return typeof v.id === 'string' && typeof v.name === 'string' ? (v as OrgUnitRef) : null;
  } catch {
    return null;
  }
}

function writeLocalHome(unit: OrgUnitRef | null) {
  try {
    if (unit) localStorage.setItem(HOME_KEY, JSON.stringify(unit));
    else localStorage.removeItem(HOME_KEY);
  } catch {
    // Private mode: the choice lasts for this visit only.
  }
}

/**
 * Who is signed in, and the home community. A visitor may choose a community before signing in
 * (kept on this device); signing in carries that choice over to the account when it has none.
 */
export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null);
  const loaded = ref(false);
  const localHome = ref<OrgUnitRef | null>(readLocalHome());

  const signedIn = computed(() => me.value !== null);
  /** A signed-in resident who must agree to the privacy notice in force before going on. */
  const consentRequired = computed(() => me.value?.privacy?.consentRequired === true);
  const homeUnit = computed<OrgUnitRef | null>(() => (me.value ? me.value.homeOrgUnit : localHome.value));

  let loading: Promise<void> | null = null;
  /** Loads the signed-in account once (a network failure counts as signed out, and is retried next time). */
  function load(force = false): Promise<void> {
    if (loaded.value && !force) return Promise.resolve();
    loading ??= api.me
      .get()
      .then((m) => {
        me.value = m;
        loaded.value = true;
      })
      .catch(() => {
        me.value = null;
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  }

  /** After a successful sign-in. */
  async function signedInAs(m: Me) {
    me.value = m;
    loaded.value = true;
    // Before the privacy notice is agreed to, the account cannot be changed: carried over after.
    if (!m.privacy?.consentRequired) await carryHome();
  }

  /** Gives the account the community chosen on this device before signing in, when it has none. */
  async function carryHome() {
    const m = me.value;
    if (m && !m.homeOrgUnit && localHome.value) {
      try {
        me.value = await api.me.update({ homeOrgUnitId: localHome.value.id });
      } catch {
        // Not essential: the resident can choose again on 我的.
      }
    }
  }

  async function setHome(unit: OrgUnitRef) {
    if (me.value) me.value = await api.me.update({ homeOrgUnitId: unit.id });
    localHome.value = unit;
    writeLocalHome(unit);
  }

  async function setDisplayName(displayName: string) {
    me.value = await api.me.update({ displayName });
  }

  /** The session ended elsewhere (expired, revoked): forget the account, keep the community choice. */
  function expire() {
    me.value = null;
  }

  async function logout() {
    try {
      await api.auth.logout();
    } catch (e) {
      // Already signed out on the server: the result is the same.
      if (!(e instanceof ApiError && e.status === 401)) throw e;
    }
    me.value = null;
  }

  /** The account was closed (注销): forget it and the community kept on this device. */
  function closed() {
    me.value = null;
    localHome.value = null;
    writeLocalHome(null);
  }

  async function logoutAll() {
    await api.auth.logoutAll();
    me.value = null;
  }

  return {
    me,
    loaded,
    signedIn,
    consentRequired,
    homeUnit,
    load,
    signedInAs,
    carryHome,
    setHome,
    setDisplayName,
    expire,
    logout,
    logoutAll,
    closed,
  };
});
