import type {
  OfferingAdmin,
  OfferingUpsert,
  ServiceGuide,
  ServiceItemAdmin,
  ServiceItemCreate,
  ServiceItemDraft,
  ServiceItemVersion,
  ServiceItemVersionSummary,
  ServiceSynonym,
} from '@linli/contracts';
import { and, desc, eq } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize } from '../../core/permissions';
import { defaultDistrict, findOrgUnit, type OrgUnitInfo } from '../identity/lookups';
import { serviceItems, serviceItemVersions, serviceOfferings, serviceSynonyms } from './schema';
import { summaryColumns } from './seed';
import { invalidateCatalogue } from './service';

type ItemRow = typeof serviceItems.$inferSelect;
type VersionRow = typeof serviceItemVersions.$inferSelect;

/** The district root unit the catalogue belongs to: catalogue.manage is checked over it. */
async function districtUnit(db: Executor, ctx: RequestContext): Promise<OrgUnitInfo> {
  const id = ctx.actor.districtId ?? (await defaultDistrict(db));
  const unit = await findOrgUnit(db, id);
  if (!unit) throw AppError.notFound('district');
  return unit;
}

/** Loads an item and checks catalogue.manage over its district (404 outside scope). */
async function itemForManager(db: Executor, ctx: RequestContext, id: string, lock = false) {
  const q = db.select().from(serviceItems).where(eq(serviceItems.id, id)).limit(1);
  const [item] = lock ? await q.for('update') : await q;
  if (!item) throw AppError.notFound('service item');
  const district = await findOrgUnit(db, item.districtId);
  authorize(ctx.actor, 'catalogue.manage', { orgPath: district?.path ?? null }, 'service item');
  return item;
}

async function draftOf(db: Executor, itemId: string): Promise<VersionRow | null> {
  const [row] = await db
    .select()
    .from(serviceItemVersions)
    .where(and(eq(serviceItemVersions.itemId, itemId), eq(serviceItemVersions.status, 'draft')))
    .limit(1);
  return row ?? null;
}

async function presentAdmin(db: Executor, item: ItemRow): Promise<ServiceItemAdmin> {
  const draft = await draftOf(db, item.id);
  return {
    id: item.id,
    code: item.code,
    mode: item.mode,
    status: item.status,
    name: item.name,
    department: item.department,
    publishedVersion: item.publishedVersion,
    publishedAt: item.publishedAt?.toISOString() ?? null,
    draftVersion: draft?.version ?? null,
    updatedAt: item.updatedAt.toISOString(),
  };
}

/** Creates the item's draft version, or replaces the draft it already has. */
export async function saveDraft(
  tx: Executor,
  ctx: RequestContext,
  item: ItemRow,
  guide: ServiceGuide,
  changeNote: string | null,
): Promise<VersionRow> {
  const existing = await draftOf(tx, item.id);
  if (existing) {
    const [row] = await tx
      .update(serviceItemVersions)
      .set({ guide, changeNote, createdBy: ctx.actor.accountId, createdAt: new Date() })
      .where(eq(serviceItemVersions.id, existing.id))
      .returning();
    return row!;
  }
  const [last] = await tx
    .select({ version: serviceItemVersions.version })
    .from(serviceItemVersions)
    .where(eq(serviceItemVersions.itemId, item.id))
    .orderBy(desc(serviceItemVersions.version))
    .limit(1);
  const [row] = await tx
    .insert(serviceItemVersions)
    .values({
      districtId: item.districtId,
      itemId: item.id,
      version: (last?.version ?? 0) + 1,
      status: 'draft',
      guide,
      changeNote,
      createdBy: ctx.actor.accountId,
    })
    .returning();
  return row!;
}

/** Makes the item's draft its live version; the one live before becomes history. */
export async function publishDraft(tx: Executor, ctx: RequestContext, item: ItemRow, now: Date) {
  if (item.status === 'retired') throw AppError.invalidTransition('retired', 'publish');
  const draft = await draftOf(tx, item.id);
  if (!draft) throw AppError.invalidTransition(`${item.status} (no draft)`, 'publish');
  await tx
    .update(serviceItemVersions)
    .set({ status: 'superseded' })
    .where(and(eq(serviceItemVersions.itemId, item.id), eq(serviceItemVersions.status, 'published')));
  await tx
    .update(serviceItemVersions)
    .set({ status: 'published', publishedAt: now, publishedBy: ctx.actor.accountId })
    .where(eq(serviceItemVersions.id, draft.id));
  const [updated] = await tx
    .update(serviceItems)
    .set({
      status: 'published',
      publishedVersion: draft.version,
      publishedAt: now,
      updatedAt: now,
      ...summaryColumns(draft.guide),
    })
    .where(eq(serviceItems.id, item.id))
    .returning();
  return { item: updated!, version: draft.version };
}

export interface AdminDeps {
  db: Db;
  now: () => Date;
}

/** POST /service-items: a new item, as a draft. */
export async function createServiceItem(
  deps: AdminDeps,
  ctx: RequestContext,
  input: ServiceItemCreate,
): Promise<ServiceItemAdmin> {
  const district = await districtUnit(deps.db, ctx);
  authorize(ctx.actor, 'catalogue.manage', { orgPath: district.path }, 'district');
  return deps.db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ id: serviceItems.id })
      .from(serviceItems)
      .where(and(eq(serviceItems.districtId, district.id), eq(serviceItems.code, input.code)))
      .limit(1);
    if (clash) throw AppError.conflict('conflict', `An item with code ${input.code} already exists.`);
    const [item] = await tx
      .insert(serviceItems)
      .values({
        districtId: district.id,
        code: input.code,
        mode: input.mode,
        status: 'draft',
        ...summaryColumns(input.guide),
      })
      .returning();
    await saveDraft(tx, ctx, item!, input.guide, input.changeNote ?? null);
    await writeAudit(tx, ctx, {
      action: 'service_item.create',
      entityType: 'service_item',
      entityId: item!.id,
      orgUnitId: district.id,
      districtId: district.id,
      after: { code: input.code, mode: input.mode, name: input.guide.name },
    });
    return presentAdmin(tx, item!);
  });
}

/** PUT /service-items/:id/draft: the published version stays live until the draft is published. */
export async function putDraft(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
  input: ServiceItemDraft,
): Promise<ServiceItemAdmin> {
  return deps.db.transaction(async (tx) => {
    const item = await itemForManager(tx, ctx, id, true);
    if (item.status === 'retired') throw AppError.invalidTransition('retired', 'edit');
    const draft = await saveDraft(tx, ctx, item, input.guide, input.changeNote ?? null);
    await writeAudit(tx, ctx, {
      action: 'service_item.draft',
      entityType: 'service_item',
      entityId: item.id,
      orgUnitId: item.districtId,
      districtId: item.districtId,
      note: { version: draft.version, changeNote: input.changeNote ?? null },
    });
    return presentAdmin(tx, item);
  });
}

/** POST /service-items/:id/publish. */
export async function publishServiceItem(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
): Promise<ServiceItemAdmin> {
  const out = await deps.db.transaction(async (tx) => {
    const item = await itemForManager(tx, ctx, id, true);
    const { item: updated, version } = await publishDraft(tx, ctx, item, deps.now());
    await writeAudit(tx, ctx, {
      action: 'service_item.publish',
      entityType: 'service_item',
      entityId: item.id,
      orgUnitId: item.districtId,
      districtId: item.districtId,
      before: { status: item.status, publishedVersion: item.publishedVersion },
      after: { status: updated.status, publishedVersion: version },
    });
    return presentAdmin(tx, updated);
  });
  const [row] = await deps.db
    .select({ d: serviceItems.districtId })
    .from(serviceItems)
    .where(eq(serviceItems.id, id));
  if (row) invalidateCatalogue(deps.db, row.d);
  return out;
}

/** POST /service-items/:id/retire: off the public guide; history stays. */
export async function retireServiceItem(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
): Promise<ServiceItemAdmin> {
  const out = await deps.db.transaction(async (tx) => {
    const item = await itemForManager(tx, ctx, id, true);
    if (item.status === 'retired') throw AppError.invalidTransition('retired', 'retire');
    const [updated] = await tx
      .update(serviceItems)
      .set({ status: 'retired', updatedAt: deps.now() })
      .where(eq(serviceItems.id, id))
      .returning();
    await writeAudit(tx, ctx, {
      action: 'service_item.retire',
      entityType: 'service_item',
      entityId: id,
      orgUnitId: item.districtId,
      districtId: item.districtId,
      before: { status: item.status },
      after: { status: 'retired' },
    });
    return { admin: await presentAdmin(tx, updated!), districtId: item.districtId };
  });
  invalidateCatalogue(deps.db, out.districtId);
  return out.admin;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** GET /service-items/:id/versions: newest first. */
export async function listVersions(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
): Promise<{ items: ServiceItemVersionSummary[] }> {
  await itemForManager(deps.db, ctx, id);
  const rows = await deps.db
    .select()
    .from(serviceItemVersions)
    .where(eq(serviceItemVersions.itemId, id))
    .orderBy(desc(serviceItemVersions.version));
  return {
    items: rows.map((r) => ({
      version: r.version,
      status: r.status,
      name: r.guide.name,
      changeNote: r.changeNote,
      createdAt: r.createdAt.toISOString(),
      publishedAt: iso(r.publishedAt),
    })),
  };
}

export async function getVersion(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
  version: number,
): Promise<ServiceItemVersion> {
  await itemForManager(deps.db, ctx, id);
  const [r] = await deps.db
    .select()
    .from(serviceItemVersions)
    .where(and(eq(serviceItemVersions.itemId, id), eq(serviceItemVersions.version, version)))
    .limit(1);
  if (!r) throw AppError.notFound('version');
  return {
    itemId: id,
    version: r.version,
    status: r.status,
    changeNote: r.changeNote,
    createdAt: r.createdAt.toISOString(),
    publishedAt: iso(r.publishedAt),
    guide: r.guide,
  };
}

// ---- Synonyms ----

export async function listSynonyms(
  deps: AdminDeps,
  ctx: RequestContext,
): Promise<{ items: ServiceSynonym[] }> {
  const district = await districtUnit(deps.db, ctx);
  authorize(ctx.actor, 'catalogue.manage', { orgPath: district.path }, 'district');
  const rows = await deps.db
    .select({ id: serviceSynonyms.id, terms: serviceSynonyms.terms })
    .from(serviceSynonyms)
    .where(eq(serviceSynonyms.districtId, district.id))
    .orderBy(serviceSynonyms.id);
  return { items: rows };
}

export async function createSynonym(
  deps: AdminDeps,
  ctx: RequestContext,
  terms: string[],
): Promise<ServiceSynonym> {
  const district = await districtUnit(deps.db, ctx);
  authorize(ctx.actor, 'catalogue.manage', { orgPath: district.path }, 'district');
  const clean = [...new Set(terms.map((t) => t.trim()).filter(Boolean))];
  if (clean.length < 2)
    throw AppError.validation([{ field: 'body/terms', message: 'needs at least two different terms' }]);
  const row = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(serviceSynonyms)
      .values({ districtId: district.id, terms: clean, createdBy: ctx.actor.accountId })
      .returning({ id: serviceSynonyms.id, terms: serviceSynonyms.terms });
    await writeAudit(tx, ctx, {
      action: 'service_synonym.create',
      entityType: 'service_synonym',
      entityId: row!.id,
      orgUnitId: district.id,
      districtId: district.id,
      after: { terms: clean },
    });
    return row!;
  });
  invalidateCatalogue(deps.db, district.id);
  return row;
}

export async function deleteSynonym(deps: AdminDeps, ctx: RequestContext, id: string): Promise<void> {
  const district = await districtUnit(deps.db, ctx);
  authorize(ctx.actor, 'catalogue.manage', { orgPath: district.path }, 'district');
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(serviceSynonyms)
      .where(and(eq(serviceSynonyms.id, id), eq(serviceSynonyms.districtId, district.id)))
      .returning();
    if (!row) throw AppError.notFound('synonym group');
    await writeAudit(tx, ctx, {
      action: 'service_synonym.delete',
      entityType: 'service_synonym',
      entityId: id,
      orgUnitId: district.id,
      districtId: district.id,
      before: { terms: row.terms },
    });
  });
  invalidateCatalogue(deps.db, district.id);
}

// ---- Community offerings ----

async function offeringUnit(db: Executor, ctx: RequestContext, unitId: string) {
  const unit = await findOrgUnit(db, unitId);
  if (!unit) throw AppError.notFound('org unit');
  authorize(ctx.actor, 'offerings.manage', { orgPath: unit.path }, 'org unit');
  if (unit.kind !== 'community' && unit.kind !== 'grid')
    throw AppError.unprocessable('org-unit-kind', 'Only a community or grid has a service room.');
  return unit;
}

function presentOffering(o: typeof serviceOfferings.$inferSelect, item: ItemRow): OfferingAdmin {
  return {
    itemId: item.id,
    itemCode: item.code,
    itemName: item.name,
    mode: item.mode,
    location: o.location,
    hours: o.hours,
    phone: o.phone,
    active: o.active,
    updatedAt: o.updatedAt.toISOString(),
  };
}

export async function listOfferings(
  deps: AdminDeps,
  ctx: RequestContext,
  unitId: string,
): Promise<{ items: OfferingAdmin[] }> {
  const unit = await offeringUnit(deps.db, ctx, unitId);
  const rows = await deps.db
    .select({ o: serviceOfferings, item: serviceItems })
    .from(serviceOfferings)
    .innerJoin(serviceItems, eq(serviceItems.id, serviceOfferings.itemId))
    .where(eq(serviceOfferings.orgUnitId, unit.id))
    .orderBy(serviceItems.code);
  return { items: rows.map((r) => presentOffering(r.o, r.item)) };
}

export async function upsertOffering(
  deps: AdminDeps,
  ctx: RequestContext,
  unitId: string,
  itemId: string,
  input: OfferingUpsert,
): Promise<OfferingAdmin> {
  const unit = await offeringUnit(deps.db, ctx, unitId);
  if (unit.status !== 'active')
    throw AppError.unprocessable('org-unit-retired', 'This community is retired.');
  return deps.db.transaction(async (tx) => {
    const [item] = await tx.select().from(serviceItems).where(eq(serviceItems.id, itemId)).limit(1);
    if (!item || item.districtId !== unit.districtId) throw AppError.notFound('service item');
    if (item.status !== 'published')
      throw AppError.unprocessable(
        'unprocessable',
        `The item is ${item.status}; only published items can be offered.`,
      );
    const [before] = await tx
      .select()
      .from(serviceOfferings)
      .where(and(eq(serviceOfferings.orgUnitId, unit.id), eq(serviceOfferings.itemId, itemId)))
      .limit(1);
    const values = { location: input.location, hours: input.hours, phone: input.phone ?? null, active: true };
    const [row] = before
      ? await tx
          .update(serviceOfferings)
          .set({ ...values, updatedAt: deps.now() })
          .where(eq(serviceOfferings.id, before.id))
          .returning()
      : await tx
          .insert(serviceOfferings)
          .values({ districtId: unit.districtId, orgUnitId: unit.id, itemId, ...values })
          .returning();
    await writeAudit(tx, ctx, {
      action: before ? 'service_offering.update' : 'service_offering.create',
      entityType: 'service_offering',
      entityId: row!.id,
      orgUnitId: unit.id,
      districtId: unit.districtId,
      before: before
        ? { location: before.location, hours: before.hours, phone: before.phone, active: before.active }
        : null,
      after: values,
    });
    return presentOffering(row!, item);
  });
}

export async function deactivateOffering(
  deps: AdminDeps,
  ctx: RequestContext,
  unitId: string,
  itemId: string,
): Promise<OfferingAdmin> {
  const unit = await offeringUnit(deps.db, ctx, unitId);
  return deps.db.transaction(async (tx) => {
    const [found] = await tx
      .select({ o: serviceOfferings, item: serviceItems })
      .from(serviceOfferings)
      .innerJoin(serviceItems, eq(serviceItems.id, serviceOfferings.itemId))
      .where(and(eq(serviceOfferings.orgUnitId, unit.id), eq(serviceOfferings.itemId, itemId)))
      .limit(1);
    if (!found) throw AppError.notFound('offering');
    const [row] = await tx
      .update(serviceOfferings)
      .set({ active: false, updatedAt: deps.now() })
      .where(eq(serviceOfferings.id, found.o.id))
      .returning();
    await writeAudit(tx, ctx, {
      action: 'service_offering.deactivate',
      entityType: 'service_offering',
      entityId: found.o.id,
      orgUnitId: unit.id,
      districtId: unit.districtId,
      before: { active: found.o.active },
      after: { active: false },
    });
    return presentOffering(row!, found.item);
  });
}
