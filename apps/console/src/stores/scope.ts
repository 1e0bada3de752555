import type { OrgUnit, OrgUnitRef } from '@linli/contracts';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api } from '@/api';
import { useSessionStore } from './session';

const KEY = 'linli.console.unit.';

/**
 * The org unit the caller is working in (the header's switcher). Lists use it as their default
 * `orgUnitId` filter. The choices are the units of the caller's grants and their subtrees.
 */
export const useScopeStore = defineStore('scope', () => {
  const session = useSessionStore();
  /** The grant units, each once, as full units (so the pickers know which have children). */
  const roots = shallowRef<OrgUnit[]>([]);
  const current = ref<OrgUnitRef | null>(null);
  const ready = ref(false);
  let forAccount: string | null = null;

  const currentId = computed(() => current.value?.id);

  function storageKey() {
    return session.me ? KEY + session.me.id : null;
  }

  /** Loads the roots for the signed-in account and restores the last choice. */
  async function init() {
    const me = session.me;
    if (!me) return;
    if (ready.value && forAccount === me.id) return;
    forAccount = me.id;
    const refs = new Map<string, OrgUnitRef>();
    for (const g of me.grants) refs.set(g.orgUnit.id, g.orgUnit);
    if (refs.size === 0 && me.homeOrgUnit) refs.set(me.homeOrgUnit.id, me.homeOrgUnit);
    const units = await Promise.all(
      [...refs.values()].map(async (ref): Promise<OrgUnit> => {
        try {
          return await api.orgUnits.get(ref.id);
        } catch {
          // Not readable (no org.read there): still offer it, as a leaf.
          return {
            ...ref,
            fullName: null,
            subtype: null,
            status: 'active',
            parentId: null,
            depth: 0,
            childCount: 0,
            address: null,
            retiredAt: null,
          };
        }
      }),
    );
    units.sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name, 'zh-CN'));
    roots.value = units;
    let chosen: OrgUnitRef | null = null;
    const key = storageKey();
    try {
      const saved = key ? localStorage.getItem(key) : null;
      if (saved) chosen = JSON.parse(saved) as OrgUnitRef;
    } catch {}
    if (chosen && !refs.has(chosen.id)) {
      // A unit below a grant: still in scope? (A revoked grant makes it 404.)
      try {
        const unit = await api.orgUnits.get(chosen.id);
        chosen =
          unit.status === 'active'
            ? { id: unit.id, code: unit.code, name: unit.name, kind: unit.kind }
            : null;
      } catch {
        chosen = null;
      }
    }
    const home = me.homeOrgUnit && refs.has(me.homeOrgUnit.id) ? me.homeOrgUnit : null;
    const first = units[0];
    current.value =
      chosen ??
      home ??
      (first ? { id: first.id, code: first.code, name: first.name, kind: first.kind } : null);
    ready.value = true;
  }

  function select(unit: OrgUnitRef) {
    current.value = { id: unit.id, code: unit.code, name: unit.name, kind: unit.kind };
    const key = storageKey();
    try {
      if (key) localStorage.setItem(key, JSON.stringify(current.value));
    } catch {}
  }

  function reset() {
    roots.value = [];
    current.value = null;
    ready.value = false;
    forAccount = null;
  }

  return { roots, current, currentId, ready, init, select, reset };
});
