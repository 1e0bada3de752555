import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, residentLogin, type TestApp } from '../../test/harness';
import { unitByName } from '../modules/identity/fixtures';
import { filesUnder, multipartBody, pdfOf, postBody } from './upload-fixtures';
import { bringRequired } from '../modules/service-guide/applications-fixtures';

/**
 * The Done-when: a resident's 1 GB upload burst is refused with 429 after the quota.
 * The probe sent applications of 20 files × ~10 MB one after another; this sends six (1,080 MB
 * offered) over a real socket to a server with the default settings (200 MB a day for a resident).
 */
const MB = 1024 * 1024;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-burst-'));
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await buildTestApp({ dataDir });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it("refuses a resident's 1 GB upload burst with 429 once the day's 200 MB are used, keeping no more than that", async () => {
  expect(t.config.uploadResidentMbPerDay).toBe(200);
  const resident = await residentLogin(t, '13800000001');
  const headers = {
    cookie: [...resident.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    'x-csrf-token': resident.cookies.get('linli_csrf') ?? '',
  };
  const jiahe = await unitByName(t.database.db, '家和社区');
  const found = (await (
    await fetch(`${base}/api/v1/service-items?q=${encodeURIComponent('低保')}`)
  ).json()) as { items: { id: string; name: string }[] };
  const item = found.items.find((i) => i.name === '最低生活保障')!.id;
  const bringParts = await bringRequired(t.database.db, item);

  const answers = [];
  let offered = 0;
  for (let n = 0; n < 6; n++) {
    const files = Array.from({ length: 20 }, (_, i) => pdfOf('files', `a${n}-${i + 1}.pdf`, 9 * MB));
    offered += 20 * 9 * MB;
    const body = multipartBody([
      { name: 'itemId', value: item },
      { name: 'orgUnitId', value: jiahe.id },
      ...bringParts,
      ...files,
    ]);
    answers.push(await postBody(`${base}/api/v1/applications`, headers, body));
  }
  expect(offered).toBeGreaterThan(1000 * MB);
  expect(answers.map((a) => a.status)).toEqual([201, 429, 429, 429, 429, 429]);
  // The second application crosses the quota in its third file (180 + 9 + 9 + 2 MB).
  const crossing = JSON.parse(answers[1]!.text);
  expect(crossing).toMatchObject({ code: 'upload-quota', errors: [{ field: 'files/a1-3.pdf' }] });
  expect(Number(answers[1]!.headers['retry-after'])).toBeGreaterThan(0);
  // The rest are refused at their first file, before any of it is stored.
  for (const a of answers.slice(2)) {
    expect(JSON.parse(a.text).detail).toMatch(/uploaded 200 MB today; the daily quota is 200 MB/);
    expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  const kept = filesUnder(path.join(dataDir, 'uploads'));
  expect(kept).toHaveLength(20);
  const bytes = kept.reduce((s, f) => s + fs.statSync(path.join(dataDir, 'uploads', f)).size, 0);
  expect(bytes).toBe(180 * MB);
});
