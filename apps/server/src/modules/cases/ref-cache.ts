import { orgTreeVersion } from '../../core/auth/session-cache';
import type { Executor } from '../../core/db/client';
import { type OrgUnitInfo, orgUnitsByIds } from '../identity/lookups';

/**
 * Org units as a case report shows them (its unit's name and code, the district code in the case
 * number), held in memory: the tree changes a few times a year and a report read it twice.
 *
 * An entry is dropped when the org tree changes in this process (identity's org service calls
 * `orgTreeChanged()` after each commit) and is re-read after `REF_TTL_MS` in any case, which
 * bounds how stale a change made by another server process can be. Permission checks never use
 * these copies: scope paths come from the database (or the session cache, evicted the same way).
 */
const REF_TTL_MS = 30_000;
const MAX_UNITS = 5_000;

interface Entry {
  unit: OrgUnitInfo;
  source: object;
  version: number;
  loadedAt: number;
}

const units = new Map<string, Entry>();

/** Org units by id, from memory when fresh, else one query for the missing ones. */
export async function cachedOrgUnits(db: Executor, ids: string[]): Promise<Map<string, OrgUnitInfo>> {
  const version = orgTreeVersion();
  const now = performance.now();
  const found = new Map<string, OrgUnitInfo>();
  const missing: string[] = [];
  for (const id of ids) {
    const e = units.get(id);
    if (e && e.source === db && e.version === version && now - e.loadedAt < REF_TTL_MS) found.set(id, e.unit);
    else missing.push(id);
  }
  if (missing.length === 0) return found;
  const loaded = await orgUnitsByIds(db, missing);
  // A change while we read: use the rows for this request, keep them only if nothing moved.
  const keep = orgTreeVersion() === version;
  if (units.size > MAX_UNITS) units.clear();
  for (const [id, unit] of loaded) {
    found.set(id, unit);
    if (keep) units.set(id, { unit, source: db, version, loadedAt: now });
  }
  return found;
}
