import type {
  ServiceItemDetail,
  ServiceItemList,
  ServiceItemQuery,
  ServiceItemSummary,
} from '@linli/contracts';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { defaultDistrict, findOrgUnit } from '../identity/lookups';
import { presentDetail, presentSummary } from './presenters';
import {
  findItemWithGuide,
  findOffering,
  offeredItemIds,
  publishedItemsWithGuides,
  type ServiceItemRow,
  synonymGroups,
} from './queries';
import { buildSearchIndex, type SearchIndex } from './search/search-index';

export interface GuideDeps {
  db: Db;
  clock: Clock;
}

/** The published catalogue of one district, held in memory: searching it costs no query. */
interface Catalogue {
  index: SearchIndex;
  items: Map<string, ServiceItemRow>;
  /** Most popular first, then by code: the order of a browse without a query. */
  ordered: ServiceItemRow[];
  popularity: Map<string, number>;
  loadedAt: number;
  /** Set when the catalogue is dropped (a publish, a synonym edit): answers from it are stale. */
  retired: boolean;
  /**
   * Answers already given from this catalogue, by query (least recently used dropped first).
   * Residents ask the same few hundred questions; the cache goes with the catalogue it came from.
   */
  answers: Map<string, ServiceItemList>;
}

const MAX_CACHED_ANSWERS = 2000;

/**
 * Catalogues are rebuilt when an item is published or the synonyms change in this process, and
 * at most CATALOGUE_TTL_MS after a change made by another server process.
 */
const CATALOGUE_TTL_MS = 60_000;
/** Per database (tests run several in one process), per district. */
const catalogueCache = new WeakMap<Db, Map<string, Promise<Catalogue>>>();
function cacheOf(db: Db) {
  let m = catalogueCache.get(db);
  if (!m) {
    m = new Map();
    catalogueCache.set(db, m);
  }
  return m;
}

async function buildCatalogue(db: Db, districtId: string, now: number): Promise<Catalogue> {
  const rows = await publishedItemsWithGuides(db, districtId);
  const synonyms = await synonymGroups(db, districtId);
  const index = buildSearchIndex(
    rows.map(({ item, guide }) => ({
      id: item.id,
      name: item.name,
      aliases: guide.aliases,
      department: item.department,
      themes: guide.themes,
      lifeEvents: guide.lifeEvents,
      popularity: item.popularity,
    })),
    synonyms,
  );
  const items = new Map(rows.map(({ item }) => [item.id, item]));
  const ordered = [...items.values()].sort(
    (a, b) => b.popularity - a.popularity || a.code.localeCompare(b.code),
  );
  return {
    index,
    items,
    ordered,
    popularity: new Map(ordered.map((i) => [i.id, i.popularity])),
    loadedAt: now,
    retired: false,
    answers: new Map(),
  };
}

export async function catalogueOf(deps: GuideDeps, districtId: string): Promise<Catalogue> {
  const now = deps.clock.now().getTime();
  const catalogues = cacheOf(deps.db);
  const cached = catalogues.get(districtId);
  if (cached) {
    const c = await cached;
    if (now - c.loadedAt < CATALOGUE_TTL_MS) return c;
  }
  const fresh = buildCatalogue(deps.db, districtId, now);
  catalogues.set(districtId, fresh);
  fresh.then(
    (c) => {
      // Superseded before it finished loading (a publish meanwhile): never current.
      if (catalogues.get(districtId) !== fresh) c.retired = true;
    },
    () => catalogues.delete(districtId),
  );
  if (cached) void cached.then((c) => (c.retired = true), noop);
  return fresh;
}

const noop = () => {};

/** Drops a district's cached catalogue (after a publish or a synonym edit). */
export function invalidateCatalogue(db: Db, districtId: string) {
  const m = cacheOf(db);
  const dropped = m.get(districtId);
  m.delete(districtId);
  if (dropped) void dropped.then((c) => (c.retired = true), noop);
}

/** True while answers from this catalogue are still the answers a new search would give. */
function current(deps: GuideDeps, catalogue: Catalogue): boolean {
  return !catalogue.retired && deps.clock.now().getTime() - catalogue.loadedAt < CATALOGUE_TTL_MS;
}

/**
 * The one search box and the browse lists: relevance then popularity with `q`; most popular
 * first without. Filters narrow either. No sign-in needed. With the answer, for one that is the
 * same for every caller, `fresh()`: true until its catalogue is replaced (the HTTP response
 * cache keys on it).
 */
export async function searchServiceItems(
  deps: GuideDeps,
  query: ServiceItemQuery,
): Promise<{ answer: ServiceItemList; fresh: (() => boolean) | null }> {
  const districtId = await defaultDistrict(deps.db);
  const catalogue = await catalogueOf(deps, districtId);
  // A community's offerings change without the catalogue changing: those answers are not cached.
  if (query.orgUnitId) {
    return {
      answer: searchCatalogue(catalogue, query, await offeredIn(deps, query.orgUnitId)),
      fresh: null,
    };
  }
  const fresh = () => current(deps, catalogue);
  const key = `${query.q?.trim() ?? ''}\u0000${query.limit ?? ''}\u0000${query.mode ?? ''}\u0000${query.department ?? ''}\u0000${query.lifeEvent ?? ''}`;
  const cached = catalogue.answers.get(key);
  if (cached) {
    catalogue.answers.delete(key);
    catalogue.answers.set(key, cached);
    return { answer: cached, fresh };
  }
  const answer = searchCatalogue(catalogue, query, null);
  catalogue.answers.set(key, answer);
  if (catalogue.answers.size > MAX_CACHED_ANSWERS) {
    catalogue.answers.delete(catalogue.answers.keys().next().value as string);
  }
  return { answer, fresh };
}

async function offeredIn(deps: GuideDeps, orgUnitId: string): Promise<Set<string>> {
  const unit = await findOrgUnit(deps.db, orgUnitId);
  if (!unit) throw AppError.notFound('org unit');
  return offeredItemIds(deps.db, unit.id);
}

function searchCatalogue(
  catalogue: Catalogue,
  query: ServiceItemQuery,
  offered: Set<string> | null,
): ServiceItemList {
  const limit = query.limit ?? 20;
  const keep = (item: ServiceItemRow) =>
    (!query.mode || item.mode === query.mode) &&
    (!query.department || item.department === query.department) &&
    (!query.lifeEvent || item.lifeEvents.includes(query.lifeEvent)) &&
    (!offered || offered.has(item.id));

  const q = query.q?.trim();
  const out: ServiceItemSummary[] = [];
  if (q) {
    for (const hit of catalogue.index.search(q, {
      limit: catalogue.items.size,
      popularity: catalogue.popularity,
    })) {
      const item = catalogue.items.get(hit.id);
      if (!item || !keep(item)) continue;
      out.push(presentSummary(item, hit.highlights));
      if (out.length >= limit) break;
    }
    // 生孩子, 老人去世: the resident needs every item of the event, not the best few matches.
    const event = catalogue.index.lifeEventOf(q);
    if (event === null) return { items: out };
    const all = catalogue.ordered.filter((item) => item.lifeEvents.includes(event) && keep(item));
    return all.length
      ? { items: out, lifeEvent: { name: event, items: all.map((item) => presentSummary(item, [])) } }
      : { items: out };
  }
  for (const item of catalogue.ordered) {
    if (!keep(item)) continue;
    out.push(presentSummary(item, []));
    if (out.length >= limit) break;
  }
  return { items: out };
}

/** Counts for the browse screens: by department, by life event, by mode. */
export async function serviceFacets(deps: GuideDeps) {
  const districtId = await defaultDistrict(deps.db);
  const catalogue = await catalogueOf(deps, districtId);
  const count = (keys: string[]) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m].map(([name, n]) => ({ name, count: n })).sort((a, b) => b.count - a.count);
  };
  const all = catalogue.ordered;
  return {
    departments: count(all.map((i) => i.department)),
    lifeEvents: count(all.flatMap((i) => i.lifeEvents)),
    modes: (['direct', 'proxy'] as const).map((mode) => ({
      mode,
      count: all.filter((i) => i.mode === mode).length,
    })),
  };
}

/** A published item's full guide, with the given community's offering when it has one. */
export async function getServiceItem(
  deps: GuideDeps,
  id: string,
  orgUnitId: string | undefined,
): Promise<ServiceItemDetail> {
  const found = await findItemWithGuide(deps.db, id);
  if (!found) throw AppError.notFound('service item');
  let offering = null;
  if (orgUnitId) {
    const unit = await findOrgUnit(deps.db, orgUnitId);
    if (!unit) throw AppError.notFound('org unit');
    const row = await findOffering(deps.db, unit.id, id);
    offering = row ? { row, unit } : null;
  }
  return presentDetail(found.item, found.guide, offering);
}
