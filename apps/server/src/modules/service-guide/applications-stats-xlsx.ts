import { PassThrough, type Readable } from 'node:stream';
import { type ApplicationFilter, maskName } from '@linli/contracts';
import ExcelJS from 'exceljs';
import type { RequestContext } from '../../core/context';
import { type ApplicationDeps, exportWorkbench } from './applications-service';
import { STATUS_TITLES } from './applications-workflow';
import { shanghaiText } from './xlsx';

/** At most this many rows per export; the `x-export-truncated` header says when there were more. */
export const EXPORT_CAP = 10_000;

/** The sheet's columns: Chinese headers (the sheet is for people), in this order. */
export const EXPORT_COLUMNS = [
  ['id', '办件编号'],
  ['item', '事项'],
  ['itemCode', '事项编码'],
  ['community', '社区'],
  ['department', '承办部门'],
  ['mode', '办理方式'],
  ['status', '状态'],
  ['resident', '申请人'],
  ['submittedAt', '提交时间'],
  ['acceptedAt', '受理时间'],
  ['dueAt', '承诺办结时间'],
  ['overdue', '是否超期'],
  ['visits', '到场次数'],
  ['multipleTrips', '多次跑动'],
  ['rating', '评价星级'],
] as const;

const MODES = { direct: '窗口直办', proxy: '代办' } as const;
const when = (d: Date | null) => (d ? shanghaiText(d) : '');

/**
 * The workbench (same scope, filters and order as `GET /applications`) as .xlsx, streamed; the
 * resident's name masked as in the list.
 */
export async function exportApplications(
  deps: ApplicationDeps,
  ctx: RequestContext,
  query: ApplicationFilter,
): Promise<{ stream: Readable; truncated: boolean; rows: number }> {
  const { items, truncated } = await exportWorkbench(deps, ctx, query, EXPORT_CAP);
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false });
  const sheet = workbook.addWorksheet('办件');
  sheet.columns = EXPORT_COLUMNS.map(([key, header]) => ({ key, header, width: key === 'id' ? 38 : 16 }));
  void (async () => {
    try {
      for (const v of items) {
        const a = v.app;
        sheet
          .addRow({
            id: a.id,
            item: v.item.name,
            itemCode: v.item.code,
            community: v.unit.name,
            department: v.department?.name ?? '',
            mode: MODES[a.mode],
            status: STATUS_TITLES[a.status],
            resident: maskName(v.residentName) ?? '',
            submittedAt: when(a.createdAt),
            acceptedAt: when(a.acceptedAt),
            dueAt: when(a.dueAt),
            overdue: v.overdue ? '是' : '否',
            visits: a.visits,
            multipleTrips: a.visits > 1 ? '是' : '否',
            rating: a.rating ?? '',
          })
          .commit();
      }
      sheet.commit();
      await workbook.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return { stream: out, truncated, rows: items.length };
}
