import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';
import { COLUMNS, excelDateToInstant, shanghaiText } from './xlsx';

let t: TestApp;
let anon: Client;
let admin: Client;

beforeAll(async () => {
  t = await buildTestApp();
  anon = new Client(t.app);
  admin = await loginAs(t.app, 'admin');
});
afterAll(() => t.close());

function multipart(file: Buffer, name = 'catalogue.xlsx') {
  const boundary = '----linli-test-boundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, file, tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function sheet(rows: Record<string, string | number>[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('catalogue');
  ws.columns = COLUMNS.map((c) => ({ header: c, key: c }));
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const row = (code: string, extra: Record<string, string | number> = {}) => ({
  code,
  mode: 'proxy',
  name: `导入事项${code}`,
  itemType: '公共服务',
  department: '罗江区民政局',
  caseType: '即办件',
  onsiteVisits: 1,
  materials: '居民身份证|原件|1|是\n户口簿|复印件|1|否',
  process: '申请\n办结',
  feeCharged: '否',
  ...extra,
});

const upload = (file: Buffer, query = '') => {
  const { payload, headers } = multipart(file);
  return admin.request({ method: 'POST', url: `/api/v1/service-items/import${query}`, payload, headers });
};

describe('catalogue .xlsx', () => {
  it('exports one row per item that parses back with exceljs', async () => {
    expect((await anon.get('/api/v1/service-items/export.xlsx')).statusCode).toBe(401);
    const res = await admin.get('/api/v1/service-items/export.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).value).toBe('code');
    expect(ws.rowCount).toBe(126);
    const materialsCol = COLUMNS.indexOf('materials') + 1;
    expect(String(ws.getRow(2).getCell(materialsCol).value)).toMatch(/^[^|\n]+\|[^|]*\|\d+\|[是否]/);
  });

  it('refuses a file that is not an .xlsx (400)', async () => {
    const res = await upload(Buffer.from('code,mode\nX,direct\n'));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('file');
  });

  it('reports every bad row with 422 and imports nothing', async () => {
    const file = await sheet([
      row('IMP1'),
      row('IMP2', { mode: 'walk-in', department: '不存在的局' }),
      row('IMP3', { onsiteVisits: 'two', materials: '身份证|原件' }),
    ]);
    const res = await upload(file);
    expect(res.statusCode).toBe(422);
    const errors = res.json().errors as { row: number; field: string }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, field: 'mode' }),
        expect.objectContaining({ row: 3, field: 'department' }),
        expect.objectContaining({ row: 4, field: 'onsiteVisits' }),
        expect.objectContaining({ row: 4, field: 'materials' }),
      ]),
    );
    expect(errors.some((e) => e.row === 2)).toBe(false);
    const search = await anon.get(`/api/v1/service-items?q=${encodeURIComponent('导入事项IMP1')}`);
    expect(search.json().items.map((i: { code: string }) => i.code)).not.toContain('IMP1');
  });

  it('applies a good file whole: new items created, existing ones updated', async () => {
    const [existing] = (await anon.get('/api/v1/service-items?limit=1')).json().items;
    const res = await upload(
      await sheet([row('IMP1'), row(existing.code, { name: '已更新的事项名称' })]),
      '?publish=true',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ created: 1, updated: 1 });
    const updated = (await anon.get(`/api/v1/service-items/${existing.id}`)).json();
    expect(updated.guide.name).toBe('已更新的事项名称');
    expect(updated.guide.materials[0]).toMatchObject({
      name: '居民身份证',
      form: '原件',
      copies: 1,
      required: true,
    });
    const created = (await anon.get('/api/v1/service-items?mode=proxy&limit=200')).json().items;
    expect(created.map((i: { code: string }) => i.code)).toContain('IMP1');
  });

  it('reads exceljs dates (Beijing wall-clock read as UTC) as Asia/Shanghai instants', () => {
    const read = new Date(Date.UTC(2026, 10, 27, 9, 30));
    expect(excelDateToInstant(read).toISOString()).toBe('2026-11-27T01:30:00.000Z');
    expect(shanghaiText(new Date('2026-11-27T01:30:00Z'))).toBe('2026-11-27 09:30');
  });
});
