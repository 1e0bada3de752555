import type { ServiceGuide } from '@linli/contracts';
import { and, eq, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { findOrgUnitByName } from '../identity/lookups';
import catalogue from './data/service-items.json' with { type: 'json' };
import enrichment from './search/data/item-enrichment.json' with { type: 'json' };
import synonymTable from './search/data/synonyms.json' with { type: 'json' };
import { serviceItems, serviceItemVersions, serviceOfferings, serviceSynonyms } from './schema';

type CatalogueRow = (typeof catalogue.direct)[number] | (typeof catalogue.proxy)[number];
interface Enrichment {
  themes?: string[];
  lifeEvents?: string[];
  keywords?: string[];
}

/** A catalogue row of data/service-items.json as a guide (the product's own copy of the data). */
export function guideFromCatalogue(row: CatalogueRow): ServiceGuide {
  const extra = (enrichment.items as Record<string, Enrichment>)[row.id] ?? {};
  return {
    name: row.name,
    basicCode: row.basicCode ?? null,
    itemType: row.itemType,
    department: row.department,
    serviceObject: row.serviceObject,
    legalBasis: row.legalBasis,
    acceptanceConditions: row.acceptanceConditions,
    materials: row.materials.map((m) => ({
      name: m.name,
      form: m.form,
      copies: m.copies,
      required: m.required,
    })),
    process: row.process,
    caseType: row.caseType,
    statutoryTimeLimitDays: null,
    promisedTimeLimitWorkingDays: row.promisedTimeLimitWorkingDays,
    fee: { charged: row.fee.charged, basis: row.fee.basis ?? null },
    location: row.location,
    serviceHours: row.serviceHours,
    consultPhone: row.consultPhone ?? null,
    complaintPhone: row.complaintPhone ?? null,
    onlineChannels: row.onlineChannels,
    onsiteVisits: row.onsiteVisits,
    faq: [],
    themes: extra.themes ?? [],
    lifeEvents: extra.lifeEvents ?? [],
    aliases: extra.keywords ?? [],
  };
}

/** The columns of `service_items` that mirror the published guide. */
export function summaryColumns(guide: ServiceGuide) {
  return {
    name: guide.name,
    department: guide.department,
    itemType: guide.itemType,
    caseType: guide.caseType,
    promisedDays: guide.promisedTimeLimitWorkingDays,
    onsiteVisits: guide.onsiteVisits,
    lifeEvents: guide.lifeEvents,
  };
}

/** Loads the 125-item catalogue (19 direct, 106 proxy) and the synonym table once per district. */
export async function seedCatalogue(db: Db, districtId: string): Promise<{ created: boolean }> {
  const [existing] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(serviceItems)
    .where(eq(serviceItems.districtId, districtId));
  if (Number(existing?.n ?? 0) > 0) return { created: false };
  const now = new Date();
  await db.transaction(async (tx) => {
    const rows = [...catalogue.direct, ...catalogue.proxy];
    const items = await tx
      .insert(serviceItems)
      .values(
        rows.map((row) => ({
          districtId,
          code: row.id,
          mode: row.mode as 'direct' | 'proxy',
          status: 'published' as const,
          publishedVersion: 1,
          publishedAt: now,
          ...summaryColumns(guideFromCatalogue(row)),
        })),
      )
      .returning({ id: serviceItems.id, code: serviceItems.code });
    const byCode = new Map(rows.map((r) => [r.id, r]));
    await tx.insert(serviceItemVersions).values(
      items.map((item) => ({
        districtId,
        itemId: item.id,
        version: 1,
        status: 'published' as const,
        guide: guideFromCatalogue(byCode.get(item.code)!),
        changeNote: '初始目录（四川政务服务网事项，办事指南字段为示例）',
        createdAt: now,
        publishedAt: now,
      })),
    );
    await tx.insert(serviceSynonyms).values(synonymTable.groups.map((g) => ({ districtId, terms: g.terms })));
    await writeAudit(tx, systemContext(districtId), {
      action: 'service_item.seed',
      entityType: 'service_item',
      entityId: null,
      orgUnitId: districtId,
      districtId,
      note: { items: items.length, synonyms: synonymTable.groups.length },
    });
  });
  return { created: true };
}

/** Demo: 翰林社区 and 家和社区 offer every item in their service rooms. */
export async function seedDemoOfferings(db: Db): Promise<void> {
  for (const name of ['翰林社区', '家和社区']) {
    const unit = await findOrgUnitByName(db, name);
    if (!unit) continue;
    const [already] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(serviceOfferings)
      .where(and(eq(serviceOfferings.orgUnitId, unit.id)));
    if (Number(already?.n ?? 0) > 0) continue;
    const items = await db
      .select({ id: serviceItems.id })
      .from(serviceItems)
      .where(eq(serviceItems.districtId, unit.districtId));
    await db.transaction(async (tx) => {
      await tx.insert(serviceOfferings).values(
        items.map((i) => ({
          districtId: unit.districtId,
          orgUnitId: unit.id,
          itemId: i.id,
          location: `${name}党群服务中心一楼便民服务室`,
          hours: '工作日 9:00–12:00，14:00–17:30',
          phone: null,
        })),
      );
      await writeAudit(tx, systemContext(unit.districtId), {
        action: 'service_offering.seed',
        entityType: 'service_offering',
        entityId: null,
        orgUnitId: unit.id,
        districtId: unit.districtId,
        note: { items: items.length },
      });
    });
  }
}
