import { PassThrough, type Readable } from 'node:stream';
import type { ServiceGuide } from '@linli/contracts';
import ExcelJS from 'exceljs';
import { and, eq } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import type { Executor } from '../../core/db/client';
import { AppError, type FieldError } from '../../core/errors';
import { authorize } from '../../core/permissions';
import { defaultDistrict, findDepartmentByName, findOrgUnit } from '../identity/lookups';
import { type AdminDeps, publishDraft, saveDraft } from './catalogue-admin-service';
import { serviceItems, serviceItemVersions } from './schema';
import { summaryColumns } from './seed';
import { invalidateCatalogue } from './service';

/** The sheet's columns, in order: the header row names them, import finds them by name. */
export const COLUMNS = [
  'code',
  'mode',
  'status',
  'publishedAt',
  'name',
  'basicCode',
  'itemType',
  'department',
  'serviceObject',
  'legalBasis',
  'acceptanceConditions',
  'materials',
  'process',
  'caseType',
  'statutoryTimeLimitDays',
  'promisedTimeLimitWorkingDays',
  'feeCharged',
  'feeBasis',
  'location',
  'serviceHours',
  'consultPhone',
  'complaintPhone',
  'onlineChannels',
  'onsiteVisits',
  'faq',
  'themes',
  'lifeEvents',
  'aliases',
] as const;
type Column = (typeof COLUMNS)[number];

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const lines = (xs: string[]) => xs.join('\n');

/** `2026-11-27 10:00` in Asia/Shanghai (China has no daylight saving). */
export function shanghaiText(d: Date): string {
  return new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * exceljs reads a date cell as if its wall-clock time were UTC; the sheet's times are Beijing
 * time, so the real instant is 8 hours earlier.
 */
export function excelDateToInstant(d: Date): Date {
  return new Date(d.getTime() - SHANGHAI_OFFSET_MS);
}

/** One catalogue row flattened for the sheet; materials as `name|form|copies|required` lines. */
export function guideToRow(
  item: { code: string; mode: string; status: string; publishedAt: Date | null },
  g: ServiceGuide,
): Record<Column, string | number | null> {
  return {
    code: item.code,
    mode: item.mode,
    status: item.status,
    publishedAt: item.publishedAt ? shanghaiText(item.publishedAt) : null,
    name: g.name,
    basicCode: g.basicCode,
    itemType: g.itemType,
    department: g.department,
    serviceObject: g.serviceObject,
    legalBasis: lines(g.legalBasis),
    acceptanceConditions: g.acceptanceConditions,
    materials: lines(g.materials.map((m) => `${m.name}|${m.form}|${m.copies}|${m.required ? '是' : '否'}`)),
    process: lines(g.process),
    caseType: g.caseType,
    statutoryTimeLimitDays: g.statutoryTimeLimitDays,
    promisedTimeLimitWorkingDays: g.promisedTimeLimitWorkingDays,
    feeCharged: g.fee.charged ? '是' : '否',
    feeBasis: g.fee.basis,
    location: g.location,
    serviceHours: g.serviceHours,
    consultPhone: g.consultPhone,
    complaintPhone: g.complaintPhone,
    onlineChannels: lines(g.onlineChannels),
    onsiteVisits: g.onsiteVisits,
    faq: lines(g.faq.map((f) => `${f.question}|${f.answer}`)),
    themes: lines(g.themes),
    lifeEvents: lines(g.lifeEvents),
    aliases: lines(g.aliases),
  };
}

async function managedDistrict(db: Executor, ctx: RequestContext) {
  const unit = await findOrgUnit(db, ctx.actor.districtId ?? (await defaultDistrict(db)));
  if (!unit) throw AppError.notFound('district');
  authorize(ctx.actor, 'catalogue.manage', { orgPath: unit.path }, 'district');
  return unit;
}

/**
 * The district's catalogue as .xlsx, one row per item (its draft when it has one, else the
 * published guide), streamed by exceljs' WorkbookWriter so memory stays flat.
 */
export async function exportCatalogue(deps: AdminDeps, ctx: RequestContext): Promise<Readable> {
  const district = await managedDistrict(deps.db, ctx);
  const rows = await deps.db
    .select({ item: serviceItems, guide: serviceItemVersions.guide, vstatus: serviceItemVersions.status })
    .from(serviceItems)
    .innerJoin(serviceItemVersions, eq(serviceItemVersions.itemId, serviceItems.id))
    .where(eq(serviceItems.districtId, district.id))
    .orderBy(serviceItems.code, serviceItemVersions.version);
  // Last version per item wins (the draft when there is one).
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (r.vstatus !== 'superseded' || !latest.has(r.item.id)) latest.set(r.item.id, r);
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false });
  const sheet = workbook.addWorksheet('catalogue');
  sheet.columns = COLUMNS.map((c) => ({ header: c, key: c, width: 20 }));
  void (async () => {
    try {
      for (const r of latest.values()) sheet.addRow(guideToRow(r.item, r.guide)).commit();
      sheet.commit();
      await workbook.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

export interface ImportError {
  row: number;
  field: string;
  message: string;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** A cell as text; dates (Beijing wall-clock times read back as UTC) as `YYYY-MM-DD HH:mm`. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return shanghaiText(excelDateToInstant(value));
  if (typeof value === 'object') {
    if ('richText' in value)
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('text' in value) return String(value.text).trim();
    if ('result' in value) return String(value.result ?? '').trim();
    return '';
  }
  return String(value).trim();
}

const splitLines = (s: string) =>
  s
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);
const YES = new Set(['是', 'true', '1', 'yes', 'y']);
const NO = new Set(['否', 'false', '0', 'no', 'n']);

/** Parses and checks one sheet row; pushes every problem it finds. */
async function parseRow(
  db: Executor,
  districtId: string,
  rowNo: number,
  get: (c: Column) => string,
  errors: ImportError[],
  departments: Map<string, boolean>,
): Promise<{ code: string; mode: 'direct' | 'proxy'; guide: ServiceGuide } | null> {
  const before = errors.length;
  const fail = (field: string, message: string) => errors.push({ row: rowNo, field, message });
  const required = (c: Column) => {
    const v = get(c);
    if (!v) fail(c, 'is required');
    return v;
  };
  const int = (c: Column, nullable: boolean): number | null => {
    const v = get(c);
    if (!v) {
      if (!nullable) fail(c, 'is required');
      return null;
    }
    if (!/^\d+$/.test(v)) {
      fail(c, `must be a whole number ≥ 0, not “${v}”`);
      return null;
    }
    return Number(v);
  };
  const bool = (c: Column, v: string): boolean => {
    const k = v.toLowerCase();
    if (YES.has(k)) return true;
    if (NO.has(k)) return false;
    fail(c, `must be 是 or 否, not “${v}”`);
    return false;
  };
  const code = required('code');
  if (code && !/^[A-Za-z0-9_-]{1,20}$/.test(code)) fail('code', 'letters, digits, - or _, at most 20');
  const mode = required('mode');
  if (mode && mode !== 'direct' && mode !== 'proxy') fail('mode', `must be direct or proxy, not “${mode}”`);
  const name = required('name');
  if (name && (name.length < 2 || name.length > 100)) fail('name', 'must be 2 to 100 characters');
  const department = required('department');
  if (department) {
    if (!departments.has(department))
      departments.set(department, !!(await findDepartmentByName(db, districtId, department)));
    if (!departments.get(department)) fail('department', `unknown department “${department}”`);
  }
  const itemType = required('itemType');
  const caseType = required('caseType');
  const materials = splitLines(get('materials')).map((line, i) => {
    const parts = line.split('|').map((p) => p.trim());
    if (parts.length !== 4 || !parts[0]) {
      fail('materials', `line ${i + 1} must be name|form|copies|required`);
      return { name: line, form: '', copies: 0, required: false };
    }
    if (!/^\d+$/.test(parts[2]!)) fail('materials', `line ${i + 1}: copies must be a whole number`);
    return {
      name: parts[0],
      form: parts[1]!,
      copies: Number(parts[2]),
      required: bool('materials', parts[3]!),
    };
  });
  const faq = splitLines(get('faq')).map((line, i) => {
    const [question, ...rest] = line.split('|');
    if (!question || rest.length === 0) fail('faq', `line ${i + 1} must be question|answer`);
    return { question: (question ?? '').trim(), answer: rest.join('|').trim() };
  });
  const statutory = int('statutoryTimeLimitDays', true);
  const promised = int('promisedTimeLimitWorkingDays', true);
  const onsite = int('onsiteVisits', false);
  const fee = get('feeCharged');
  const charged = fee ? bool('feeCharged', fee) : false;
  if (errors.length > before) return null;
  const nullable = (c: Column) => get(c) || null;
  return {
    code,
    mode: mode as 'direct' | 'proxy',
    guide: {
      name,
      basicCode: nullable('basicCode'),
      itemType,
      department,
      serviceObject: get('serviceObject'),
      legalBasis: splitLines(get('legalBasis')),
      acceptanceConditions: get('acceptanceConditions'),
      materials,
      process: splitLines(get('process')),
      caseType,
      statutoryTimeLimitDays: statutory,
      promisedTimeLimitWorkingDays: promised,
      fee: { charged, basis: nullable('feeBasis') },
      location: get('location'),
      serviceHours: get('serviceHours'),
      consultPhone: nullable('consultPhone'),
      complaintPhone: nullable('complaintPhone'),
      onlineChannels: splitLines(get('onlineChannels')),
      onsiteVisits: onsite ?? 1,
      faq,
      themes: splitLines(get('themes')),
      lifeEvents: splitLines(get('lifeEvents')),
      aliases: splitLines(get('aliases')),
    },
  };
}

/**
 * Imports a catalogue sheet: every row is checked first; if any is bad nothing is written and
 * 422 lists every problem. Otherwise one transaction creates new items and gives existing ones
 * a new draft (published at once with `publish`).
 */
export async function importCatalogue(
  deps: AdminDeps,
  ctx: RequestContext,
  file: Buffer,
  options: { publish?: boolean } = {},
): Promise<{ created: number; updated: number }> {
  const district = await managedDistrict(deps.db, ctx);
  if (file.length < 4 || !file.subarray(0, 4).equals(ZIP_MAGIC))
    throw AppError.badRequest('unsupported-media-type', 'The file is not an .xlsx workbook.', [
      { field: 'file', message: 'not an .xlsx (ZIP) file' },
    ]);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
  } catch {
    throw AppError.badRequest('bad-request', 'The workbook cannot be read.', [
      { field: 'file', message: 'unreadable .xlsx' },
    ]);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw AppError.unprocessable('unprocessable', 'The workbook has no sheet.');
  const header = new Map<string, number>();
  sheet.getRow(1).eachCell((cell, col) => header.set(cellText(cell.value), col));
  const errors: ImportError[] = [];
  for (const c of ['code', 'mode', 'name', 'department', 'itemType', 'caseType', 'onsiteVisits'] as const)
    if (!header.has(c)) errors.push({ row: 1, field: c, message: 'column is missing' });
  if (errors.length)
    throw new AppError(422, 'unprocessable', 'The sheet lacks required columns.', {
      errors: errors as unknown as FieldError[],
    });

  const parsed: { row: number; code: string; mode: 'direct' | 'proxy'; guide: ServiceGuide }[] = [];
  const departments = new Map<string, boolean>();
  const seen = new Map<string, number>();
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const get = (c: Column) => {
      const col = header.get(c);
      return col ? cellText(row.getCell(col).value) : '';
    };
    if (COLUMNS.every((c) => !get(c))) continue;
    const result = await parseRow(deps.db, district.id, r, get, errors, departments);
    if (result) {
      const dup = seen.get(result.code);
      if (dup) errors.push({ row: r, field: 'code', message: `duplicate of row ${dup}` });
      else {
        seen.set(result.code, r);
        parsed.push({ row: r, ...result });
      }
    }
  }
  if (errors.length)
    throw new AppError(
      422,
      'unprocessable',
      `${new Set(errors.map((e) => e.row)).size} row(s) are invalid; nothing was imported.`,
      {
        errors: errors as unknown as FieldError[],
      },
    );
  if (parsed.length === 0) throw AppError.unprocessable('unprocessable', 'The sheet has no rows.');

  const now = deps.now();
  const result = await deps.db.transaction(async (tx) => {
    let created = 0;
    let updated = 0;
    for (const p of parsed) {
      let [item] = await tx
        .select()
        .from(serviceItems)
        .where(and(eq(serviceItems.districtId, district.id), eq(serviceItems.code, p.code)))
        .for('update')
        .limit(1);
      if (!item) {
        [item] = await tx
          .insert(serviceItems)
          .values({
            districtId: district.id,
            code: p.code,
            mode: p.mode,
            status: 'draft',
            ...summaryColumns(p.guide),
          })
          .returning();
        created++;
      } else {
        if (item.status === 'retired')
          throw new AppError(422, 'unprocessable', 'A row names a retired item.', {
            errors: [
              { row: p.row, field: 'code', message: 'this item is retired' },
            ] as unknown as FieldError[],
          });
        if (item.mode !== p.mode)
          [item] = await tx
            .update(serviceItems)
            .set({ mode: p.mode })
            .where(eq(serviceItems.id, item.id))
            .returning();
        updated++;
      }
      await saveDraft(tx, ctx, item!, p.guide, '导入 .xlsx');
      if (options.publish) await publishDraft(tx, ctx, item!, now);
    }
    await writeAudit(tx, ctx, {
      action: 'service_item.import',
      entityType: 'service_item',
      entityId: null,
      orgUnitId: district.id,
      districtId: district.id,
      note: { created, updated, published: !!options.publish },
    });
    return { created, updated };
  });
  if (options.publish) invalidateCatalogue(deps.db, district.id);
  return result;
}
