import { defineStore } from 'pinia';
import { reactive } from 'vue';
import { api } from '@/api';

const PREFIX = 'linli.checklist.';

/** The account's copy (`GET/PUT /me/checklists/:itemId`); only used while signed in. */
const remote = () => api.checklists;

function read(itemId: string): string[] {
  try {
    const raw = localStorage.getItem(PREFIX + itemId);
    const v = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function write(itemId: string, names: string[]) {
  try {
    if (names.length) localStorage.setItem(PREFIX + itemId, JSON.stringify(names));
    else localStorage.removeItem(PREFIX + itemId);
  } catch {
    // Private mode: the ticks last for this visit only.
  }
}

/** Material checklists per service item: kept on the device, synced to the account when signed in. */
export const useChecklistStore = defineStore('checklist', () => {
  const ticks = reactive<Record<string, string[]>>({});

  function of(itemId: string): string[] {
    ticks[itemId] ??= read(itemId);
    return ticks[itemId];
  }

  function set(itemId: string, names: string[], signedIn: boolean) {
    ticks[itemId] = names;
    write(itemId, names);
    if (signedIn)
      remote()
        .put(itemId, names)
        .catch(() => {});
  }

  function toggle(itemId: string, name: string, signedIn: boolean) {
    const now = of(itemId);
    set(itemId, now.includes(name) ? now.filter((n) => n !== name) : [...now, name], signedIn);
  }

  /** On sign-in or opening an item while signed in: the union of this device's and the account's ticks. */
  async function sync(itemId: string): Promise<boolean> {
    const r = remote();
    try {
      const server = (await r.get(itemId)).checked;
      const local = of(itemId);
      const merged = [...new Set([...local, ...server])];
      ticks[itemId] = merged;
      write(itemId, merged);
      if (merged.length !== server.length) await r.put(itemId, merged);
      return true;
    } catch {
      return false;
    }
  }

  function clear() {
    for (const k of Object.keys(ticks)) delete ticks[k];
  }

  return { ticks, of, toggle, sync, clear };
});
