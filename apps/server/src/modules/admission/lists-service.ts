import type {
  AdmissionCurrentLists,
  AdmissionDraftSave,
  AdmissionListItem,
  AdmissionListVersion,
  AdmissionListVersionSummary,
  AdmissionPublish,
  AdmissionVersionDiff,
} from '@linli/contracts';
import { desc, eq, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { Clock } from '../../core/clock';
import { type RequestContext, systemContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize, can, requirePermission } from '../../core/permissions';
import { beijingDate, isIsoDate } from '../calendar';
import { accountDisplayNames, defaultDistrict, findOrgUnit, listDistricts } from '../identity/lookups';
import { shippedVersionItems } from './lists-data';
import { buildMatcher, type Matcher } from './matching';
import {
  countsOf,
  currentVersion,
  findDraft,
  findVersion,
  itemsOf,
  replaceItems,
  versionsOf,
} from './queries';
import { admissionListVersions, type ListItemRow, type ListVersionRow } from './schema';

/** What the admission services need from the app. */
export interface AdmissionDeps {
  db: Db;
  clock: Clock;
}

/** A list item row as the contract shows it. */
export function itemOf(r: ListItemRow): AdmissionListItem {
  return {
    code: r.code,
    name: r.name,
    list: r.list,
    category: r.category,
    legalBasis: r.legalBasis,
    responsibleDepartment: r.responsibleDepartment,
    feeFollowsTask: r.feeFollowsTask,
    fundingTerms: r.fundingTerms,
    minFundingYuanPerHour: r.minFundingYuanPerHour,
    assistanceForm: r.assistanceForm,
    keywords: r.keywords,
  };
}

/** The lists in force, ready to match against: published versions never change, so cache by id. */
export interface LoadedLists {
  version: ListVersionRow;
  items: AdmissionListItem[];
  byCode: ReadonlyMap<string, AdmissionListItem>;
  matcher: Matcher;
}

const loaded = new Map<string, Promise<Omit<LoadedLists, 'version'>>>();

async function load(db: Executor, version: ListVersionRow): Promise<LoadedLists> {
  let hit = loaded.get(version.id);
  if (!hit) {
    hit = itemsOf(db, version.id).then((rows) => {
      const items = rows.map(itemOf);
      return { items, byCode: new Map(items.map((i) => [i.code, i])), matcher: buildMatcher(items) };
    });
    loaded.set(version.id, hit);
    hit.catch(() => loaded.delete(version.id));
  }
  return { version, ...(await hit) };
}

/** The district a request is about: the caller's, else the deployment's one district. */
export async function districtOf(db: Executor, ctx: RequestContext): Promise<string> {
  return ctx.actor.districtId ?? (await defaultDistrict(db));
}

/** The lists in force today in the district; 404 when none was ever published. */
export async function listsInForce(deps: AdmissionDeps, districtId: string): Promise<LoadedLists> {
  const version = await currentVersion(deps.db, districtId, beijingDate(deps.clock.now()));
  if (!version) throw AppError.notFound('published list version');
  return load(deps.db, version);
}

/** `POST /admission/match`: the best matches of a text against the lists in force. */
export async function matchText(deps: AdmissionDeps, ctx: RequestContext, text: string, limit = 5) {
  const lists = await listsInForce(deps, await districtOf(deps.db, ctx));
  return lists.matcher.match(text, limit);
}

/** `GET /admission/lists`: public. */
export async function currentLists(deps: AdmissionDeps, ctx: RequestContext): Promise<AdmissionCurrentLists> {
  const lists = await listsInForce(deps, await districtOf(deps.db, ctx));
  const v = lists.version;
  const counts = { self: 0, assist: 0, negative: 0 };
  for (const i of lists.items) counts[i.list]++;
  return {
    version: v.version,
    effectiveDate: v.effectiveDate,
    publishedAt: v.publishedAt?.toISOString() ?? null,
    changeNote: v.changeNote,
    counts,
    items: lists.items,
  };
}

/** Codes used by more than one item, in order of first appearance. */
export function duplicateCodes(items: { code: string }[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const i of items) (seen.has(i.code) ? dup : seen).add(i.code);
  return [...dup];
}

async function summaries(deps: AdmissionDeps, districtId: string, rows: ListVersionRow[]) {
  const current = await currentVersion(deps.db, districtId, beijingDate(deps.clock.now()));
  const counts = await countsOf(
    deps.db,
    rows.map((r) => r.id),
  );
  const names = await accountDisplayNames(
    deps.db,
    rows.flatMap((r) => [r.createdBy, r.publishedBy].filter((x): x is string => !!x)),
  );
  const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return rows.map(
    (r): AdmissionListVersionSummary => ({
      version: r.version,
      status: r.status,
      current: r.id === current?.id,
      effectiveDate: r.effectiveDate,
      changeNote: r.changeNote,
      counts: counts.get(r.id)!,
      createdBy: name(r.createdBy),
      createdAt: r.createdAt.toISOString(),
      publishedBy: name(r.publishedBy),
      publishedAt: r.publishedAt?.toISOString() ?? null,
    }),
  );
}

async function withItems(deps: AdmissionDeps, districtId: string, row: ListVersionRow) {
  const [summary] = await summaries(deps, districtId, [row]);
  const items = (await itemsOf(deps.db, row.id)).map(itemOf);
  return {
    ...summary!,
    items,
    duplicateCodes: row.status === 'draft' ? duplicateCodes(items) : [],
  } satisfies AdmissionListVersion;
}

/** The district unit, and whether the caller may edit its lists. */
async function districtUnit(db: Executor, ctx: RequestContext) {
  const unit = await findOrgUnit(db, await districtOf(db, ctx));
  if (!unit) throw AppError.notFound('district');
  return unit;
}

/** Every version, newest first (drafts only for the list editors). */
export async function listVersions(deps: AdmissionDeps, ctx: RequestContext) {
  const district = await districtUnit(deps.db, ctx);
  const editor =
    ctx.actor.kind === 'system' || ctx.actor.grants.some((g) => g.permissions.has('admission.lists'));
  const rows = (await versionsOf(deps.db, district.id)).filter((r) => r.status === 'published' || editor);
  return { items: await summaries(deps, district.id, rows) };
}

async function visibleVersion(deps: AdmissionDeps, ctx: RequestContext, version: number) {
  const district = await districtUnit(deps.db, ctx);
  const row = await findVersion(deps.db, district.id, version);
  if (!row) throw AppError.notFound('list version');
  // A draft does not exist for those who cannot edit the lists (the version list hides it too).
  if (row.status === 'draft' && !can(ctx.actor, 'admission.lists', district.path))
    throw AppError.notFound('list version');
  return { district, row };
}

export async function getVersion(deps: AdmissionDeps, ctx: RequestContext, version: number) {
  const { district, row } = await visibleVersion(deps, ctx, version);
  return withItems(deps, district.id, row);
}

const COMPARED: (keyof AdmissionListItem)[] = [
  'name',
  'list',
  'category',
  'legalBasis',
  'responsibleDepartment',
  'feeFollowsTask',
  'fundingTerms',
  'minFundingYuanPerHour',
  'assistanceForm',
  'keywords',
];

/** Two item lists side by side, by code: added, removed and changed (with the fields that differ). */
export function diffItems(before: AdmissionListItem[], after: AdmissionListItem[]) {
  const a = new Map(before.map((i) => [i.code, i]));
  const b = new Map(after.map((i) => [i.code, i]));
  const added = after.filter((i) => !a.has(i.code));
  const removed = before.filter((i) => !b.has(i.code));
  const changed = [];
  for (const [code, now] of b) {
    const was = a.get(code);
    if (!was) continue;
    const fields = COMPARED.filter((f) => JSON.stringify(was[f]) !== JSON.stringify(now[f]));
    if (fields.length) changed.push({ code, fields: fields as string[], before: was, after: now });
  }
  return { added, removed, changed };
}

export async function compareVersions(
  deps: AdmissionDeps,
  ctx: RequestContext,
  from: number,
  to: number,
): Promise<AdmissionVersionDiff> {
  const x = await visibleVersion(deps, ctx, from);
  const y = await visibleVersion(deps, ctx, to);
  const [before, after] = await Promise.all([itemsOf(deps.db, x.row.id), itemsOf(deps.db, y.row.id)]);
  return { from, to, ...diffItems(before.map(itemOf), after.map(itemOf)) };
}

async function editorDistrict(deps: AdmissionDeps, ctx: RequestContext) {
  requirePermission(ctx.actor, 'admission.lists');
  const district = await districtUnit(deps.db, ctx);
  authorize(ctx.actor, 'admission.lists', { orgPath: district.path }, 'district');
  return district;
}

export async function getDraft(deps: AdmissionDeps, ctx: RequestContext) {
  const district = await editorDistrict(deps, ctx);
  const draft = await findDraft(deps.db, district.id);
  if (!draft) throw AppError.notFound('draft');
  return withItems(deps, district.id, draft);
}

/** Starts a draft from the lists in force; 409 when the district already has one. */
export async function createDraft(deps: AdmissionDeps, ctx: RequestContext) {
  const district = await editorDistrict(deps, ctx);
  const base = await listsInForce(deps, district.id);
  const row = await deps.db.transaction(async (tx) => {
    if (await findDraft(tx, district.id))
      throw AppError.conflict('conflict', 'A draft of the lists already exists; edit or discard it first.');
    const [last] = await tx
      .select({ version: admissionListVersions.version })
      .from(admissionListVersions)
      .where(eq(admissionListVersions.districtId, district.id))
      .orderBy(desc(admissionListVersions.version))
      .limit(1);
    const [draft] = await tx
      .insert(admissionListVersions)
      .values({
        districtId: district.id,
        version: (last?.version ?? 0) + 1,
        status: 'draft',
        createdBy: ctx.actor.accountId,
        createdAt: deps.clock.now(),
      })
      .returning();
    await replaceItems(tx, draft!, base.items);
    await writeAudit(tx, ctx, {
      action: 'admission_lists.draft_create',
      entityType: 'admission_list_version',
      entityId: draft!.id,
      orgUnitId: district.id,
      districtId: district.id,
      after: { version: draft!.version, status: 'draft' },
      note: { basedOn: base.version.version },
    });
    return draft!;
  });
  return withItems(deps, district.id, row);
}

/** Replaces the draft's items (duplicates are kept and reported; publishing refuses them). */
export async function saveDraft(deps: AdmissionDeps, ctx: RequestContext, input: AdmissionDraftSave) {
  const district = await editorDistrict(deps, ctx);
  if (input.effectiveDate && !isIsoDate(input.effectiveDate))
    throw AppError.validation(
      [{ field: 'body/effectiveDate', message: 'is not a calendar day', code: 'format' }],
      'Invalid fields: body/effectiveDate.',
    );
  const row = await deps.db.transaction(async (tx) => {
    const draft = await findDraft(tx, district.id, true);
    if (!draft) throw AppError.notFound('draft');
    const set: Partial<ListVersionRow> = {};
    if (input.effectiveDate !== undefined) set.effectiveDate = input.effectiveDate;
    if (input.changeNote !== undefined) set.changeNote = input.changeNote?.trim() || null;
    const [updated] = Object.keys(set).length
      ? await tx
          .update(admissionListVersions)
          .set(set)
          .where(eq(admissionListVersions.id, draft.id))
          .returning()
      : [draft];
    await replaceItems(tx, draft, input.items);
    await writeAudit(tx, ctx, {
      action: 'admission_lists.draft_save',
      entityType: 'admission_list_version',
      entityId: draft.id,
      orgUnitId: district.id,
      districtId: district.id,
      before: { effectiveDate: draft.effectiveDate, changeNote: draft.changeNote },
      after: { effectiveDate: updated!.effectiveDate, changeNote: updated!.changeNote },
      note: { items: input.items.length, duplicateCodes: duplicateCodes(input.items) },
    });
    return updated!;
  });
  return withItems(deps, district.id, row);
}

/** Publishes the draft with its effective date and change note; 422 naming duplicate codes. */
export async function publishDraft(deps: AdmissionDeps, ctx: RequestContext, input: AdmissionPublish) {
  const district = await editorDistrict(deps, ctx);
  if (!isIsoDate(input.effectiveDate))
    throw AppError.validation(
      [{ field: 'body/effectiveDate', message: 'is not a calendar day', code: 'format' }],
      'Invalid fields: body/effectiveDate.',
    );
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const draft = await findDraft(tx, district.id, true);
    if (!draft) throw AppError.invalidTransition('published (no draft)', 'publish');
    const items = (await itemsOf(tx, draft.id)).map(itemOf);
    const dups = duplicateCodes(items);
    if (dups.length)
      throw AppError.unprocessable('unprocessable', `Item codes used more than once: ${dups.join(', ')}.`, [
        { field: 'items', message: `duplicate codes: ${dups.join(', ')}`, code: 'duplicate-codes' },
      ]);
    if (items.length === 0)
      throw AppError.unprocessable('unprocessable', 'A version needs at least one item.', [
        { field: 'items', message: 'must not be empty', code: 'minItems' },
      ]);
    const [published] = await tx
      .update(admissionListVersions)
      .set({
        status: 'published',
        effectiveDate: input.effectiveDate,
        changeNote: input.changeNote.trim(),
        publishedBy: ctx.actor.accountId,
        publishedAt: now,
      })
      .where(eq(admissionListVersions.id, draft.id))
      .returning();
    await writeAudit(tx, ctx, {
      action: 'admission_lists.publish',
      entityType: 'admission_list_version',
      entityId: draft.id,
      orgUnitId: district.id,
      districtId: district.id,
      before: { status: 'draft' },
      after: { status: 'published', effectiveDate: input.effectiveDate, changeNote: input.changeNote.trim() },
      note: { version: draft.version, items: items.length },
    });
    return published!;
  });
  return withItems(deps, district.id, row);
}

export async function discardDraft(deps: AdmissionDeps, ctx: RequestContext) {
  const district = await editorDistrict(deps, ctx);
  await deps.db.transaction(async (tx) => {
    const draft = await findDraft(tx, district.id, true);
    if (!draft) throw AppError.notFound('draft');
    await tx.delete(admissionListVersions).where(eq(admissionListVersions.id, draft.id));
    await writeAudit(tx, ctx, {
      action: 'admission_lists.draft_discard',
      entityType: 'admission_list_version',
      entityId: draft.id,
      orgUnitId: district.id,
      districtId: district.id,
      before: { version: draft.version, status: 'draft' },
    });
  });
}

/** Reference data: the shipped lists as published version 1 of every district that has none. */
export async function seedAdmissionLists(db: Db): Promise<number> {
  let seeded = 0;
  for (const district of await listDistricts(db)) {
    const [n] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(admissionListVersions)
      .where(eq(admissionListVersions.districtId, district.id));
    if (Number(n?.n ?? 0) > 0) continue;
    const items = shippedVersionItems();
    await db.transaction(async (tx) => {
      const [v] = await tx
        .insert(admissionListVersions)
        .values({
          districtId: district.id,
          version: 1,
          status: 'published',
          effectiveDate: '2021-01-01',
          changeNote:
            '首次发布三张清单：14 项依法自治事项、57 项依法协助政府事项、10 项负面事项（示意性综合清单，见数据文件说明）',
          publishedAt: new Date(),
        })
        .returning();
      await replaceItems(tx, v!, items);
      await writeAudit(tx, systemContext(district.id), {
        action: 'admission_lists.seed',
        entityType: 'admission_list_version',
        entityId: v!.id,
        orgUnitId: district.id,
        districtId: district.id,
        after: { version: 1, status: 'published' },
        note: { items: items.length },
      });
    });
    seeded++;
  }
  return seeded;
}
