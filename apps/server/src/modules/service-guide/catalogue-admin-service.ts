import type {
  OfferingAdmin,
  OfferingUpsert,
  ServiceGuide,
  ServiceItemAdmin,
  ServiceItemCreate,
  ServiceItemDraft,
  ServiceSynonym,
} from '@linli/contracts';
import { and, asc, desc, eq, gt, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize } from '../../core/permissions';
import { accountDisplayNames, defaultDistrict, findOrgUnit, type OrgUnitInfo } from '../identity/lookups';
import type {
  CatalogueItemEditor,
  CatalogueItemQuery,
  CatalogueItemRow,
  CatalogueVersion,
  CatalogueVersionSummary,
} from '@linli/contracts';
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
  checkGuide(input.guide);
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
    checkGuide(input.guide);
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

/** GET /service-items/:id/versions: newest first, with who saved and who published each. */
export async function listVersions(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
): Promise<{ items: CatalogueVersionSummary[] }> {
  await itemForManager(deps.db, ctx, id);
  const rows = await deps.db
    .select()
    .from(serviceItemVersions)
    .where(eq(serviceItemVersions.itemId, id))
    .orderBy(desc(serviceItemVersions.version));
  const names = await accountDisplayNames(
    deps.db,
    rows.flatMap((r) => [r.createdBy, r.publishedBy]).filter((x): x is string => !!x),
  );
  return {
    items: rows.map((r) => ({
      version: r.version,
      status: r.status,
      name: r.guide.name,
      changeNote: r.changeNote,
      createdAt: r.createdAt.toISOString(),
      publishedAt: iso(r.publishedAt),
      createdByName: (r.createdBy && names.get(r.createdBy)) || null,
      publishedByName: (r.publishedBy && names.get(r.publishedBy)) || null,
    })),
  };
}

export async function getVersion(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
  version: number,
): Promise<CatalogueVersion> {
  await itemForManager(deps.db, ctx, id);
  const [r] = await deps.db
    .select()
    .from(serviceItemVersions)
    .where(and(eq(serviceItemVersions.itemId, id), eq(serviceItemVersions.version, version)))
    .limit(1);
  if (!r) throw AppError.notFound('version');
  const names = await accountDisplayNames(
    deps.db,
    [r.createdBy, r.publishedBy].filter((x): x is string => !!x),
  );
  return {
    itemId: id,
    version: r.version,
    status: r.status,
    changeNote: r.changeNote,
    createdAt: r.createdAt.toISOString(),
    publishedAt: iso(r.publishedAt),
    guide: r.guide,
    createdByName: (r.createdBy && names.get(r.createdBy)) || null,
    publishedByName: (r.publishedBy && names.get(r.publishedBy)) || null,
  };
}

/** The editor's abilities on an item: the same rules putDraft, publish and retire enforce. */
function editorAbilities(item: ItemRow, hasDraft: boolean) {
  const live = item.status !== 'retired';
  return { saveDraft: live, publish: live && hasDraft, retire: live };
}

/** GET /service-items/:id/draft: the draft when there is one, else the live (or last) version. */
export async function getEditorItem(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
): Promise<CatalogueItemEditor> {
  const item = await itemForManager(deps.db, ctx, id);
  const [latest] = await deps.db
    .select()
    .from(serviceItemVersions)
    .where(eq(serviceItemVersions.itemId, id))
    .orderBy(
      // draft first, then the published one, then the newest superseded
      sql`case ${serviceItemVersions.status} when 'draft' then 0 when 'published' then 1 else 2 end`,
      desc(serviceItemVersions.version),
    )
    .limit(1);
  if (!latest) throw AppError.notFound('version');
  const admin = await presentAdmin(deps.db, item);
  return {
    ...admin,
    version: latest.version,
    versionStatus: latest.status,
    guide: latest.guide,
    abilities: editorAbilities(item, admin.draftVersion !== null),
  };
}

const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * GET /service-items/admin: the catalogue as its editors see it (every status, drafts too),
 * ordered by code; the cursor is the last row's code.
 */
export async function listCatalogueItems(
  deps: AdminDeps,
  ctx: RequestContext,
  q: CatalogueItemQuery,
): Promise<{ items: CatalogueItemRow[]; nextCursor: string | null }> {
  const district = await districtUnit(deps.db, ctx);
  authorize(ctx.actor, 'catalogue.manage', { orgPath: district.path }, 'district');
  const limit = q.limit ?? 20;
  const hasDraft = sql`exists (select 1 from ${serviceItemVersions} v where v.item_id = ${serviceItems.id} and v.status = 'draft')`;
  const conditions: (SQL | undefined)[] = [
    eq(serviceItems.districtId, district.id),
    q.mode ? eq(serviceItems.mode, q.mode) : undefined,
    q.department ? eq(serviceItems.department, q.department) : undefined,
    q.status ? eq(serviceItems.status, q.status) : undefined,
    q.hasDraft === undefined ? undefined : q.hasDraft ? hasDraft : sql`not ${hasDraft}`,
    q.cursor ? gt(serviceItems.code, q.cursor) : undefined,
  ];
  const text = q.q?.trim();
  if (text) {
    const pattern = containsPattern(text);
    conditions.push(or(ilike(serviceItems.name, pattern), ilike(serviceItems.code, pattern)));
  }
  const rows = await deps.db
    .select()
    .from(serviceItems)
    .where(and(...conditions))
    .orderBy(asc(serviceItems.code))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const versions = page.length
    ? await deps.db
        .select({
          itemId: serviceItemVersions.itemId,
          version: serviceItemVersions.version,
          status: serviceItemVersions.status,
          guide: serviceItemVersions.guide,
        })
        .from(serviceItemVersions)
        .where(
          and(
            inArray(
              serviceItemVersions.itemId,
              page.map((r) => r.id),
            ),
            inArray(serviceItemVersions.status, ['draft', 'published']),
          ),
        )
    : [];
  const items = page.map((item): CatalogueItemRow => {
    const mine = versions.filter((v) => v.itemId === item.id);
    const draft = mine.find((v) => v.status === 'draft');
    const shown = mine.find((v) => v.status === 'published') ?? draft;
    return {
      id: item.id,
      code: item.code,
      mode: item.mode,
      status: item.status,
      name: item.name,
      department: item.department,
      publishedVersion: item.publishedVersion,
      publishedAt: iso(item.publishedAt),
      draftVersion: draft?.version ?? null,
      updatedAt: item.updatedAt.toISOString(),
      basicCode: shown?.guide.basicCode ?? null,
      caseType: item.caseType,
      statutoryTimeLimitDays: shown?.guide.statutoryTimeLimitDays ?? null,
      promisedTimeLimitWorkingDays: item.promisedDays,
    };
  });
  return { items, nextCursor: rows.length > limit ? (page.at(-1)?.code ?? null) : null };
}

/**
 * Rules of a guide that a schema cannot state: material names are unique (residents' checklists
 * are keyed by them) and the promised time limit is within the statutory one.
 */
export function checkGuide(guide: ServiceGuide, prefix = 'body/guide') {
  const errors: { field: string; message: string; code: string }[] = [];
  const seen = new Set<string>();
  guide.materials.forEach((m, i) => {
    const name = m.name.trim();
    if (!name)
      errors.push({ field: `${prefix}/materials/${i}/name`, message: 'is required', code: 'required' });
    else if (seen.has(name))
      errors.push({
        field: `${prefix}/materials/${i}/name`,
        message: 'another material has this name',
        code: 'duplicate',
      });
    seen.add(name);
  });
  const { statutoryTimeLimitDays: statutory, promisedTimeLimitWorkingDays: promised } = guide;
  if (statutory !== null && promised !== null && promised > statutory)
    errors.push({
      field: `${prefix}/promisedTimeLimitWorkingDays`,
      message: 'must not exceed the statutory time limit',
      code: 'exceedsStatutory',
    });
  if (errors.length) throw AppError.validation(errors);
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

/** PUT /service-synonyms/:id: replaces a group's terms. */
export async function updateSynonym(
  deps: AdminDeps,
  ctx: RequestContext,
  id: string,
  terms: string[],
): Promise<ServiceSynonym> {
  const district = await districtUnit(deps.db, ctx);
  authorize(ctx.actor, 'catalogue.manage', { orgPath: district.path }, 'district');
  const clean = [...new Set(terms.map((t) => t.trim()).filter(Boolean))];
  if (clean.length < 2)
    throw AppError.validation([{ field: 'body/terms', message: 'needs at least two different terms' }]);
  const row = await deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(serviceSynonyms)
      .where(and(eq(serviceSynonyms.id, id), eq(serviceSynonyms.districtId, district.id)))
      .for('update')
      .limit(1);
    if (!before) throw AppError.notFound('synonym group');
    const [row] = await tx
      .update(serviceSynonyms)
      .set({ terms: clean, updatedAt: deps.now() })
      .where(eq(serviceSynonyms.id, id))
      .returning({ id: serviceSynonyms.id, terms: serviceSynonyms.terms });
    await writeAudit(tx, ctx, {
      action: 'service_synonym.update',
      entityType: 'service_synonym',
      entityId: id,
      orgUnitId: district.id,
      districtId: district.id,
      before: { terms: before.terms },
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
