import { PassThrough, type Readable } from 'node:stream';
import { type CaseExportQuery, maskName } from '@linli/contracts';
import ExcelJS from 'exceljs';
import type { RequestContext } from '../../core/context';
import { shanghaiText } from '../service-guide/xlsx';
import { type CaseDeps, type CaseView, listStaffCases } from './service';
import { STATUS_TITLES } from './workflow';

/** At most this many rows per export; `x-export-truncated: true` says when there were more. */
export const CASE_EXPORT_CAP = 10_000;
/** Rows fetched per page of the board while streaming. */
const PAGE = 200;

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
 * The board (same scope, filters and order as `GET /cases`: it pages through the very same
 * query) as .xlsx, streamed by exceljs' WorkbookWriter page by page so memory stays flat. The
 * first page is read before answering, so a refusal is still a problem+json.
 */
export async function exportCases(
  deps: CaseDeps,
  ctx: RequestContext,
  query: CaseExportQuery,
): Promise<{ stream: Readable }> {
  const first = await listStaffCases(deps, ctx, { ...query, limit: PAGE });
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
      let page = first;
      let written = 0;
      for (;;) {
        for (const v of page.items) {
          if (written >= CASE_EXPORT_CAP) break;
          sheet.addRow(rowOf(v)).commit();
          written++;
        }
        if (!page.nextCursor || written >= CASE_EXPORT_CAP) break;
        page = await listStaffCases(deps, ctx, { ...query, limit: PAGE, cursor: page.nextCursor });
      }
      sheet.commit();
      await workbook.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return { stream: out };
}
