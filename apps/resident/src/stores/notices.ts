import type { Notice } from '@linli/contracts';
import { defineStore } from 'pinia';
import { api } from '@/api';

type NoticePage = Awaited<ReturnType<typeof api.notices.list>>;

/** How many notices the home page shows. */
export const HOME_NOTICES = 5;

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

  async function fetchPage(orgUnitId: string | null, cursor: string | undefined, limit: number) {
    const unit = orgUnitId ?? (await districtId()) ?? undefined;
    const res = await api.notices.list({ orgUnitId: unit, cursor, limit });
    remember(res.items);
    return res;
  }

  /** A first page asked for ahead of the page that shows it; taken (or dropped) by the next `page()`. */
  let early: { unit: string | null; limit: number; res: Promise<NoticePage> } | null = null;

  /**
   * Starts fetching the first page of a unit's notices (the district's for `null`) before the page
   * that shows them exists: the router does it while it asks for the session, so a visitor's home
   * gets the district and then its notices in the same round trips as the session and the page's
   * code instead of after them.
   */
  function prefetch(orgUnitId: string | null, limit: number) {
    const res = fetchPage(orgUnitId, undefined, limit);
    res.catch(() => {});
    early = { unit: orgUnitId, limit, res };
  }

  /** One page of the notices for a unit (its own and its ancestors'), or the district's. */
  function page(orgUnitId: string | null | undefined, cursor?: string, limit = 20): Promise<NoticePage> {
    const ahead = early;
    early = null;
    if (ahead && !cursor && ahead.unit === (orgUnitId ?? null) && ahead.limit === limit) return ahead.res;
    return fetchPage(orgUnitId ?? null, cursor, limit);
  }

  async function get(id: string): Promise<Notice> {
    const known = byId.get(id);
    if (known) return known;
    const notice = await api.notices.get(id);
    byId.set(id, notice);
    return notice;
  }

  return { page, prefetch, get, remember };
});
