import { PassThrough, type Readable } from 'node:stream';
import { type CaseExportQuery, maskName } from '@linli/contracts';
import ExcelJS from 'exceljs';
import type { RequestContext } from '../../core/context';
import { shanghaiText } from '../service-guide/xlsx';
import { type CaseDeps, type CaseView, exportStaffCases } from './service';
import { STATUS_TITLES } from './workflow';

/** At most this many rows per export; `x-export-truncated: true` says when there were more. */
export const CASE_EXPORT_CAP = 10_000;
/** Rows written to the sheet before yielding to the event loop. */
const ROWS_PER_TURN = 1_000;

/** The sheet's columns: Chinese headers (the sheet is for people), in this order. */
export const CASE_EXPORT_COLUMNS = [
  ['number', '案件编号'],
  ['category', '类别'],
  ['categoryCode', '类别编码'],
  ['status', '状态'],
  ['source', '来源'],
  ['unit', '所在网格/社区'],
  ['address', '地址'],
  ['lat', '纬度'],
  ['lng', '经度'],
  ['handler', '处置单位'],
  ['reporter', '上报人'],
  ['description', '问题描述'],
  ['createdAt', '上报时间'],
  ['dueAt', '当前环节时限'],
  ['overdue', '是否超时'],
  ['supervised', '是否督办'],
  ['reopened', '是否重办'],
] as const;

const SOURCES = { resident: '居民上报', patrol: '巡查发现', open311: '第三方平台' } as const;
const HANDLER_KINDS = { squad: '中队', department: '部门', person: '个人' } as const;
const when = (d: Date | null) => (d ? shanghaiText(d) : '');

/** Personal data never leaves masked: 匿名 stays, a name already masked stays, a full one is masked. */
function maskedReporter(name: string | null): string {
  if (!name) return '';
  if (name === '匿名' || name.includes('*')) return name;
  return maskName(name) ?? '';
}

function rowOf(v: CaseView) {
  const { c } = v;
  return {
    number: c.number,
    category: v.categoryName,
    categoryCode: c.categoryCode,
    status: STATUS_TITLES[c.status],
    source: SOURCES[c.source],
    unit: v.unit.name,
    address: c.address ?? '',
    lat: c.lat ?? '',
    lng: c.lng ?? '',
    handler: v.handler ? `${HANDLER_KINDS[v.handler.kind]}：${v.handler.name}` : '',
    reporter: maskedReporter(v.reporter),
    description: c.description,
    createdAt: when(c.createdAt),
    dueAt: when(c.dueAt),
    overdue: v.overdue ? '是' : '否',
    supervised: c.supervised ? '是' : '否',
    reopened: c.reopened ? '是' : '否',
  };
}

/**
 * The board (same scope, filters and order as `GET /cases`) as .xlsx, streamed by exceljs'
 * WorkbookWriter. The rows come from one statement (`exportStaffCases`, at most the cap), read
 * before answering, so a refusal is still a problem+json; the list query is not run again per
 * page (issue #15: that held an export to ~1,000 rows/s at a million cases).
 */
export async function exportCases(
  deps: CaseDeps,
  ctx: RequestContext,
  query: CaseExportQuery,
): Promise<{ stream: Readable }> {
  const views = await exportStaffCases(deps, ctx, query, CASE_EXPORT_CAP);
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false });
  const sheet = workbook.addWorksheet('案件');
  sheet.columns = CASE_EXPORT_COLUMNS.map(([key, header]) => ({
    key,
    header,
    width: key === 'description' ? 40 : key === 'number' ? 22 : 14,
  }));
  void (async () => {
    try {
      for (let i = 0; i < views.length; i++) {
        sheet.addRow(rowOf(views[i]!)).commit();
        // Let other requests run between chunks of a large sheet.
        if (i % ROWS_PER_TURN === ROWS_PER_TURN - 1) await new Promise((r) => setImmediate(r));
      }
      sheet.commit();
      await workbook.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return { stream: out };
}
