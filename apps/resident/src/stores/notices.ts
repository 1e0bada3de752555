import type { Notice } from '@linli/contracts';
import { defineStore } from 'pinia';
import { api } from '@/api';

/** Notices seen in lists, so opening one shows it at once; a deep link fetches it. */
export const useNoticesStore = defineStore('notices', () => {
  const byId = new Map<string, Notice>();
  let district: Promise<string | null> | null = null;

  function remember(items: Notice[]) {
    for (const n of items) byId.set(n.id, n);
  }

  /** The district (root of the org tree): what a visitor without a community sees notices of. */
  function districtId(): Promise<string | null> {
    district ??= api.orgUnits
      .list({ kind: 'district', limit: 1 })
      .then((r) => r.items[0]?.id ?? null)
      .catch((e: unknown) => {
        district = null;
        throw e;
      });
    return district;
  }

  /** One page of the notices for a unit (its own and its ancestors'), or the district's. */
  async function page(orgUnitId: string | null | undefined, cursor?: string, limit = 20) {
    const unit = orgUnitId ?? (await districtId()) ?? undefined;
    const res = await api.notices.list({ orgUnitId: unit, cursor, limit });
    remember(res.items);
    return res;
  }

  async function get(id: string): Promise<Notice> {
    const known = byId.get(id);
    if (known) return known;
    const notice = await api.notices.get(id);
    byId.set(id, notice);
    return notice;
  }

  return { page, get, remember };
});
