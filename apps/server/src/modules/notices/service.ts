import type { NoticeCreate, NoticeQuery } from '@linli/contracts';
import { eq, or, type SQL } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { Clock } from '../../core/clock';
import type { RequestContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize, requirePermission, scopeFilter } from '../../core/permissions';
import { authorizeNotice, noticePolicy } from './permissions';
import {
  type FeedCursor,
  findNotice,
  findUnit,
  insertNotice,
  listNotices as listRows,
  markRetracted,
  type NoticeWithRefs,
  pathIds,
} from './queries';
import { notices } from './schema';

/** What the notices services need from the app: the database and the clock. */
export interface NoticeDeps {
  db: Db;
  clock: Clock;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(c: FeedCursor): string {
  return Buffer.from(JSON.stringify([c.pinned ? 1 : 0, c.publishedAt, c.id])).toString('base64url');
}

/** Reads a cursor this module handed out; anything else is a 400 naming `cursor`. */
export function decodeCursor(raw: string): FeedCursor {
  const bad = () =>
    AppError.validation(
      [{ field: 'querystring/cursor', message: 'is not a cursor this API returned', code: 'format' }],
      'Invalid fields: querystring/cursor.',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [pinned, publishedAt, id] = parsed as unknown[];
  if (
    (pinned !== 0 && pinned !== 1) ||
    typeof publishedAt !== 'string' ||
    Number.isNaN(Date.parse(publishedAt)) ||
    typeof id !== 'string' ||
    !UUID.test(id)
  ) {
    throw bad();
  }
  return { pinned: pinned === 1, publishedAt, id };
}

/**
 * The notice feed. With `orgUnitId`, the notices that apply to that unit: its own and those of its
 * ancestors (town, district). Published only, unless `includeRetracted` is asked by a caller holding
 * `notices.manage`, who then also sees the retracted notices inside their scope.
 */
export async function listNotices(
  deps: NoticeDeps,
  ctx: RequestContext,
  query: NoticeQuery,
): Promise<{ items: NoticeWithRefs[]; nextCursor: string | null }> {
  const limit = query.limit ?? 20;
  let visible: SQL = eq(notices.status, 'published');
  if (query.includeRetracted) {
    requirePermission(ctx.actor, 'notices.manage');
    visible = or(visible, scopeFilter(ctx.actor, 'notices.manage', notices.orgUnitId))!;
  }
  let unitIds: string[] | undefined;
  if (query.orgUnitId) {
    const unit = await findUnit(deps.db, query.orgUnitId);
    if (!unit) throw AppError.notFound('org unit');
    unitIds = pathIds(unit.path);
  }
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await listRows(deps.db, { unitIds, visible, after, limit });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({
          pinned: last.notice.pinned,
          publishedAt: last.notice.publishedAt.toISOString(),
          id: last.notice.id,
        })
      : null;
  return { items, nextCursor };
}

/**
 * One notice. Published notices are public; a retracted one exists only for callers holding
 * `notices.manage` over its unit (for everyone else it answers 404).
 */
export async function getNotice(deps: NoticeDeps, ctx: RequestContext, id: string): Promise<NoticeWithRefs> {
  const found = await findNotice(deps.db, id);
  if (!found) throw AppError.notFound('notice');
  if (
    found.notice.status !== 'published' &&
    !noticePolicy.viewRetracted(ctx.actor, { orgPath: found.unit.path })
  ) {
    throw AppError.notFound('notice');
  }
  return found;
}

/** Trims a text field and re-checks its minimum length, naming the field when it is too short. */
function cleanText(field: 'title' | 'body', value: string, min: number): string {
  const v = value.trim();
  if (v.length < min) {
    throw AppError.validation(
      [{ field: `body/${field}`, message: `must NOT have fewer than ${min} characters`, code: 'minLength' }],
      `Invalid fields: body/${field}.`,
    );
  }
  return v;
}

/** Publishes a notice for a district, town or community, with its audit record, in one transaction. */
export async function publishNotice(
  deps: NoticeDeps,
  ctx: RequestContext,
  input: NoticeCreate,
): Promise<NoticeWithRefs> {
  const unit = await findUnit(deps.db, input.orgUnitId);
  if (!unit) throw AppError.notFound('org unit');
  authorize(ctx.actor, 'notices.manage', { orgPath: unit.path }, 'org unit');
  if (unit.status === 'retired') {
    throw AppError.unprocessable('org-unit-retired', 'This org unit is retired.', [
      { field: 'body/orgUnitId', message: 'is retired', code: 'org-unit-retired' },
    ]);
  }
  if (unit.kind === 'grid') {
    // Residents choose a community as home; a grid's notice would reach nobody's home page.
    throw AppError.unprocessable(
      'org-unit-kind',
      'Notices are published for a district, town or community.',
      [{ field: 'body/orgUnitId', message: 'must be a district, town or community', code: 'org-unit-kind' }],
    );
  }
  const title = cleanText('title', input.title, 2);
  const body = cleanText('body', input.body, 2);
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const created = await insertNotice(tx, {
      districtId: unit.districtId,
      orgUnitId: unit.id,
      title,
      body,
      pinned: input.pinned ?? false,
      status: 'published',
      publishedAt: now,
      createdBy: ctx.actor.accountId,
      createdAt: now,
      updatedAt: now,
    });
    await writeAudit(tx, ctx, {
      action: 'notice.publish',
      entityType: 'notice',
      entityId: created.id,
      orgUnitId: unit.id,
      districtId: unit.districtId,
      after: { title, pinned: created.pinned, status: created.status, orgUnitId: unit.id },
    });
    return created;
  });
  return { notice: row, unit, author: ctx.actor.kind === 'system' ? null : ctx.actor.displayName };
}

/** Retracts a published notice. A notice already retracted answers 409 `invalid-transition`. */
export async function retractNotice(
  deps: NoticeDeps,
  ctx: RequestContext,
  id: string,
): Promise<NoticeWithRefs> {
  const found = await findNotice(deps.db, id);
  if (!found) throw AppError.notFound('notice');
  authorizeNotice(ctx.actor, { orgPath: found.unit.path, status: found.notice.status });
  if (found.notice.status !== 'published') throw AppError.invalidTransition(found.notice.status, 'retract');
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const updated = await markRetracted(tx, id, ctx.actor.accountId, now);
    // Someone else retracted it between our read and this write.
    if (!updated) throw AppError.invalidTransition('retracted', 'retract');
    await writeAudit(tx, ctx, {
      action: 'notice.retract',
      entityType: 'notice',
      entityId: id,
      orgUnitId: found.unit.id,
      districtId: found.unit.districtId,
      before: { status: found.notice.status, retractedAt: null },
      after: { status: updated.status, retractedAt: updated.retractedAt },
    });
    return updated;
  });
  return { ...found, notice: row };
}
