import type { Checklist } from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import type { RequestContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { serviceChecklists } from './checklist-schema';
import { findItemWithGuide } from './queries';

/** GET /me/checklists/:itemId: what the resident ticked (empty and `updatedAt: null` before any sync). */
export async function getChecklist(db: Db, ctx: RequestContext, itemId: string): Promise<Checklist> {
  const found = await findItemWithGuide(db, itemId);
  if (!found) throw AppError.notFound('service item');
  const [row] = await db
    .select()
    .from(serviceChecklists)
    .where(and(eq(serviceChecklists.accountId, ctx.actor.accountId!), eq(serviceChecklists.itemId, itemId)))
    .limit(1);
  return { itemId, checked: row?.checked ?? [], updatedAt: row?.updatedAt.toISOString() ?? null };
}

/**
 * PUT /me/checklists/:itemId: last write wins. Names the current guide no longer lists (the item
 * was republished since the device ticked them) are dropped, not refused.
 */
export async function putChecklist(
  db: Db,
  ctx: RequestContext,
  itemId: string,
  checked: string[],
  now: Date,
): Promise<Checklist> {
  const found = await findItemWithGuide(db, itemId);
  if (!found) throw AppError.notFound('service item');
  const names = new Set(found.guide.materials.map((m) => m.name));
  const keep = [...new Set(checked)].filter((n) => names.has(n));
  const [row] = await db
    .insert(serviceChecklists)
    .values({ accountId: ctx.actor.accountId!, itemId, checked: keep, updatedAt: now })
    .onConflictDoUpdate({
      target: [serviceChecklists.accountId, serviceChecklists.itemId],
      set: { checked: keep, updatedAt: now },
    })
    .returning();
  return { itemId, checked: row!.checked, updatedAt: row!.updatedAt.toISOString() };
}
