import type { CaseStatus } from '@linli/contracts';
import { and, asc, count, desc, eq, gte, inArray, isNull, lte, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { caseCategories, caseHistory, cases, squads } from '../cases/schema';
import { departments } from '../identity/schema';
import { open311Keys, open311Requests } from './schema';

/**
 * Plain reads and writes: `(db | tx, params) => rows`. Writing cases goes through the cases
 * module's `reportCase`; the GeoReport feeds below are read-only projections of the case tables
 * (one indexed query each) that the cases module's own lists cannot express (date windows,
 * lists of numbers, 1,000 rows).
 */

// API keys.

export async function findKeyByHash(db: Executor, keyHash: string) {
  const [row] = await db.select().from(open311Keys).where(eq(open311Keys.keyHash, keyHash)).limit(1);
  return row ?? null;
}

export async function findKey(db: Executor, id: string) {
  const [row] = await db.select().from(open311Keys).where(eq(open311Keys.id, id)).limit(1);
  return row ?? null;
}

export async function listKeys(db: Executor, districtId: string) {
  return db
    .select({
      k: open311Keys,
      // Qualified by hand: drizzle leaves a single table's columns unqualified, and `r` has an id too.
      requests: sql<number>`(SELECT count(*)::int FROM open311_requests r WHERE r.key_id = "open311_keys"."id")`,
    })
    .from(open311Keys)
    .where(eq(open311Keys.districtId, districtId))
    .orderBy(desc(open311Keys.createdAt), desc(open311Keys.id));
}

export async function insertKey(tx: Executor, values: typeof open311Keys.$inferInsert) {
  const [row] = await tx.insert(open311Keys).values(values).returning();
  return row!;
}

/** Revokes a key that is not revoked yet; null when it already was (race-safe). */
export async function revokeKey(tx: Executor, id: string, by: string | null, now: Date) {
  const [row] = await tx
    .update(open311Keys)
    .set({ revokedAt: now, revokedBy: by, updatedAt: now })
    .where(and(eq(open311Keys.id, id), isNull(open311Keys.revokedAt)))
    .returning();
  return row ?? null;
}

/** Marks a key as used, at most once a minute (not a write per request). */
export async function touchKey(db: Executor, id: string, now: Date) {
  await db
    .update(open311Keys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(open311Keys.id, id),
        or(isNull(open311Keys.lastUsedAt), lte(open311Keys.lastUsedAt, new Date(now.getTime() - 60_000))),
      ),
    );
}

export async function keyRequestCount(db: Executor, keyId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(open311Requests).where(eq(open311Requests.keyId, keyId));
  return Number(row?.n ?? 0);
}

// Requests filed through Open311.

export async function insertRequest(tx: Executor, values: typeof open311Requests.$inferInsert) {
  const [row] = await tx.insert(open311Requests).values(values).returning();
  return row!;
}

export async function requestByToken(db: Executor, districtId: string, token: string) {
  const [row] = await db
    .select({ token: open311Requests.token, number: cases.number })
    .from(open311Requests)
    .innerJoin(cases, eq(cases.id, open311Requests.caseId))
    .where(and(eq(open311Requests.token, token), eq(open311Requests.districtId, districtId)))
    .limit(1);
  return row ?? null;
}

export async function requestOfCase(db: Executor, caseId: string) {
  const [row] = await db
    .select({ r: open311Requests, partnerName: open311Keys.partnerName })
    .from(open311Requests)
    .innerJoin(open311Keys, eq(open311Keys.id, open311Requests.keyId))
    .where(eq(open311Requests.caseId, caseId))
    .limit(1);
  return row ?? null;
}

// The GeoReport feeds.

/**
 * What the public GeoReport feeds show, as the community board does: cases past 立案 (a report
 * waiting for it, or refused, was never vetted), and every case a partner filed (they follow their own).
 */
const visible = or(eq(cases.source, 'open311'), sql`${cases.status} NOT IN ('reported', 'not_registered')`)!;

export interface FeedFilter {
  districtId: string;
  numbers?: string[];
  codes?: string[];
  statuses?: CaseStatus[];
  from?: Date;
  to?: Date;
  limit: number;
}

/** Cases for `GET requests`: newest first, with category, squad and department names. */
export async function feedCases(db: Executor, f: FeedFilter) {
  const where: SQL[] = [eq(cases.districtId, f.districtId), visible];
  if (f.numbers) where.push(inArray(cases.number, f.numbers.length ? f.numbers : ['']));
  if (f.codes?.length) where.push(inArray(cases.categoryCode, f.codes));
  if (f.statuses?.length) where.push(inArray(cases.status, f.statuses));
  if (f.from) where.push(gte(cases.createdAt, f.from));
  if (f.to) where.push(lte(cases.createdAt, f.to));
  return db
    .select({
      c: cases,
      categoryName: caseCategories.name,
      squadName: squads.name,
      departmentName: departments.name,
      o311: {
        description: open311Requests.description,
        mediaUrl: open311Requests.mediaUrl,
        addressId: open311Requests.addressId,
      },
    })
    .from(cases)
    .leftJoin(
      caseCategories,
      and(eq(caseCategories.districtId, cases.districtId), eq(caseCategories.code, cases.categoryCode)),
    )
    .leftJoin(squads, eq(squads.id, cases.squadId))
    .leftJoin(departments, eq(departments.id, cases.departmentId))
    .leftJoin(open311Requests, eq(open311Requests.caseId, cases.id))
    .where(and(...where))
    .orderBy(desc(cases.createdAt), desc(cases.id))
    .limit(f.limit);
}
export type FeedRow = Awaited<ReturnType<typeof feedCases>>[number];

/** Public history steps (not the report itself) in a window, oldest first, for `servicerequestupdates`. */
export async function feedUpdates(
  db: Executor,
  f: { districtId: string; from: Date; to: Date; limit: number },
) {
  return db
    .select({
      id: caseHistory.id,
      caseId: caseHistory.caseId,
      step: caseHistory.step,
      toStatus: caseHistory.toStatus,
      note: caseHistory.note,
      at: caseHistory.at,
      number: cases.number,
      photoId: sql<
        string | null
      >`(SELECT p.id FROM case_photos p WHERE p.history_id = ${caseHistory.id} ORDER BY p.created_at, p.id LIMIT 1)`,
    })
    .from(caseHistory)
    .innerJoin(cases, eq(cases.id, caseHistory.caseId))
    .where(
      and(
        eq(cases.districtId, f.districtId),
        visible,
        eq(caseHistory.public, true),
        ne(caseHistory.step, 'report'),
        gte(caseHistory.at, f.from),
        lte(caseHistory.at, f.to),
      ),
    )
    .orderBy(asc(caseHistory.at), asc(caseHistory.id))
    .limit(f.limit);
}
