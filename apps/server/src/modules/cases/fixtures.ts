import type { CaseReceipt, CaseStatus } from '@linli/contracts';
import type { Client } from '../../../test/harness';
import { eq } from 'drizzle-orm';
import type { Db } from '../../core/db/client';
import { uuidv7 } from '../../core/db/columns';
import { accounts } from '../identity/schema';
import { type CaseRow, cases, squads } from './schema';

/** Test factories for cases. They write real rows; nothing is mocked. */

import { multipart, PNG } from '../service-guide/applications-fixtures';

export { JPEG, multipart, type Part, PDF, PNG } from '../service-guide/applications-fixtures';

/** A point inside 翰林社区 (its demo boundary's seed) and one well outside 罗江区 (成都). */
export const HANLIN = { lat: 31.3175, lng: 104.5062 };
export const CHENGDU = { lat: 30.657, lng: 104.066 };

export async function accountByUsername(db: Db, username: string) {
  const [a] = await db.select().from(accounts).where(eq(accounts.username, username)).limit(1);
  if (!a) throw new Error(`fixture: no account ${username}`);
  return a;
}

export async function squadOf(db: Db, name: string) {
  const [s] = await db.select().from(squads).where(eq(squads.name, name)).limit(1);
  if (!s) throw new Error(`fixture: no squad ${name}`);
  return s;
}

let seq = 0;

/**
 * A case already in `status`, as the workflow would have left it: with the squad as handler from
 * `dispatched` on, accepted by `handlerId`, handled by `handledBy`, closed at `at` when closed.
 */
export async function buildCase(
  db: Db,
  p: {
    status: CaseStatus;
    orgUnitId: string;
    communityId: string | null;
    districtId: string;
    reporterId: string;
    squadId: string;
    at: Date;
    categoryCode?: string;
    handlerId?: string | null;
    handledBy?: string | null;
    lat?: number | null;
    lng?: number | null;
    overrides?: Partial<typeof cases.$inferInsert>;
  },
): Promise<CaseRow> {
  seq++;
  const dispatched = !['reported', 'registered', 'not_registered'].includes(p.status);
  const closed = p.status === 'closed' || p.status === 'rated';
  const [row] = await db
    .insert(cases)
    .values({
      districtId: p.districtId,
      number: `TEST-${uuidv7().slice(-12)}-${seq}`,
      categoryCode: p.categoryCode ?? '0201',
      description: '楼道里贴满了小广告',
      lat: p.lat === undefined ? 31.3175 : p.lat,
      lng: p.lng === undefined ? 104.5062 : p.lng,
      address: '翰林社区',
      orgUnitId: p.orgUnitId,
      communityId: p.communityId,
      handlerKind: 'squad',
      squadId: p.squadId,
      handlerId: dispatched ? (p.handlerId ?? null) : null,
      handledBy: ['handled', 'closed', 'rated'].includes(p.status) ? (p.handledBy ?? null) : null,
      status: p.status,
      stepStartedAt: p.at,
      dueAt: new Date(p.at.getTime() + 86_400_000),
      redAt: new Date(p.at.getTime() + 2 * 86_400_000),
      reporterId: p.reporterId,
      source: 'resident',
      closedAt: closed ? p.at : null,
      rating: p.status === 'rated' ? 'unsatisfied' : null,
      createdAt: p.at,
      updatedAt: p.at,
      ...p.overrides,
    })
    .returning();
  return row!;
}

// ---- Through the API, as the apps do (for tests that read what the workflow wrote). ----

/** 楼道小广告 in 翰林社区: a squad category at a point inside the community. */
export const POSTERS = {
  categoryCode: '0201',
  description: '楼道里贴满了小广告',
  lat: HANLIN.lat,
  lng: HANLIN.lng,
};

/** Reports a case with one photo; throws unless it is filed (201). Answers the case id. */
export async function reportCase(c: Client, fields: Record<string, string | number>): Promise<string> {
  const body = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value: String(value) })),
    { name: 'photos', filename: 'a.png', type: 'image/png', data: PNG },
  ]);
  const res = await c.post('/api/v1/cases', body.payload, body.headers);
  if (res.statusCode !== 201) throw new Error(`report: ${res.statusCode} ${res.body}`);
  return (res.json() as CaseReceipt).id;
}

/** Takes a workflow step; throws unless it is taken (200). */
export async function stepCase(c: Client, id: string, name: string, body: unknown = {}) {
  const res = await c.post(`/api/v1/cases/${id}/${name}`, body);
  if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body}`);
}

/** 处置反馈 with a note and one photo; throws unless it is taken (200). */
export async function handleCase(c: Client, id: string) {
  const body = multipart([
    { name: 'note', value: '已清理' },
    { name: 'photos', filename: 'after.png', type: 'image/png', data: PNG },
  ]);
  const res = await c.post(`/api/v1/cases/${id}/handle`, body.payload, body.headers);
  if (res.statusCode !== 200) throw new Error(`handle: ${res.statusCode} ${res.body}`);
}
