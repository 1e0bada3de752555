import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Application, Case, CaseReceipt } from '@linli/contracts';
import { eq, sql } from 'drizzle-orm';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, type TestApp } from '../../test/harness';
import { buildApp } from '../app';
import { HANLIN } from '../modules/cases/fixtures';
import { buildResident, sessionAs, unitByName } from '../modules/identity/fixtures';
import {
  bringRequired,
  material,
  multipart,
  PDF,
  PNG,
  type Part,
} from '../modules/service-guide/applications-fixtures';
import { FakeClock } from './clock';
import { phoneJpeg, phonePng, plainJpeg, pngChunkList } from './image-fixtures';
import { tiffOrientation } from './image-metadata';
import { uploadLedger } from './schema';
import {
  type Answer,
  BOUNDARY,
  eventually,
  filesUnder,
  MULTIPART_TYPE,
  multipartBody,
  pdfOf,
  postBody,
  type StreamPart,
} from './upload-fixtures';

const MB = 1024 * 1024;
// 10:00 in Beijing: the day's quota opens again in 14 hours.
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-uploads-'));
const uploads = path.join(dataDir, 'uploads');
const temp = path.join(uploads, '.tmp');
const stored = () => filesUnder(uploads).filter((f) => !f.startsWith('.tmp'));
const limits = {
  uploadRequestsPerMinute: 6,
  uploadResidentFilesPerDay: 25,
  uploadResidentMbPerDay: 30,
  uploadIdleSeconds: 1,
};

let t: TestApp;
let base: string;
let districtId: string;
let item: string;
let bringParts: Part[] = [];
let community: string;

beforeAll(async () => {
  t = await buildTestApp({ dataDir, ...limits }, { clock });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const jiahe = await unitByName(t.database.db, '家和社区');
  districtId = jiahe.districtId;
  community = jiahe.id;
  const found = (await (
    await fetch(`${base}/api/v1/service-items?q=${encodeURIComponent('低保')}`)
  ).json()) as { items: { id: string; name: string }[] };
  item = found.items.find((i) => i.name === '最低生活保障')!.id;
  // The required materials these tests do not upload are brought on the visit.
  bringParts = await bringRequired(t.database.db, item);
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A new resident (each test its own, so the per-account limits of one never touch another). */
async function newResident(): Promise<{ client: Client; id: string; headers: Record<string, string> }> {
  const r = await buildResident(t.database.db, districtId, null);
  const client = await sessionAs(t.app, r.id);
  return { client, id: r.id, headers: socketHeaders(client) };
}
/** What a browser sends with a cookie-borne write: the session cookie and the CSRF token. */
const socketHeaders = (c: Client): Record<string, string> => ({
  cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
  'x-csrf-token': c.cookies.get('linli_csrf') ?? '',
});
const applicationFields = (): StreamPart[] => [
  { name: 'itemId', value: item },
  { name: 'orgUnitId', value: community },
  ...bringParts,
];
const apply = (headers: Record<string, string>, files: StreamPart[], opts?: Parameters<typeof postBody>[3]) =>
  postBody(`${base}/api/v1/applications`, headers, multipartBody([...applicationFields(), ...files]), opts);
const problem = (a: Answer) =>
  JSON.parse(a.text) as { code: string; detail: string; errors?: { field: string }[] };
const ledgerOf = async (accountId: string) => {
  const [row] = await t.database.db
    .select({ files: sql<string>`coalesce(sum(files), 0)`, bytes: sql<string>`coalesce(sum(bytes), 0)` })
    .from(uploadLedger)
    .where(eq(uploadLedger.accountId, accountId));
  return { files: Number(row!.files), bytes: Number(row!.bytes) };
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('photos lose their metadata on the server', () => {
  it("keeps a resident's material without GPS, with its orientation; the download decodes and matches the stored sha256", async () => {
    const { client } = await newResident();
    const photo = phoneJpeg({ orientation: 6 });
    expect((await exifr.gps(photo)).latitude).toBeCloseTo(39.9042, 3);
    const body = multipart([
      { name: 'itemId', value: item },
      { name: 'orgUnitId', value: community },
      ...bringParts,
      ...material('身份证', 'IMG_20261127_094100.jpg', photo, 'image/jpeg'),
      ...material('户口簿', 'hukou.png', phonePng({ orientation: 3 })),
    ]);
    const res = await client.post('/api/v1/applications', body.payload, body.headers);
    expect(res.statusCode, res.body).toBe(201);
    const files = (res.json() as Application).files;
    expect(files).toHaveLength(2);

    const jpg = await client.get(files[0]!.url);
    expect(jpg.statusCode).toBe(200);
    const bytes = jpg.rawPayload;
    expect(sha256(bytes)).toBe(files[0]!.sha256);
    expect(bytes.length).toBe(files[0]!.size);
    expect(bytes.length).toBeLessThan(photo.length);
    expect(await exifr.gps(bytes)).toBeUndefined();
    expect(await exifr.orientation(bytes)).toBe(6);
    expect(Buffer.from(jpeg.decode(bytes).data).equals(Buffer.from(jpeg.decode(plainJpeg()).data))).toBe(
      true,
    );

    const png = (await client.get(files[1]!.url)).rawPayload;
    expect(sha256(png)).toBe(files[1]!.sha256);
    const chunks = pngChunkList(png);
    expect(chunks.map((c) => c.type).filter((c) => c !== 'IDAT')).toEqual(['IHDR', 'eXIf', 'IEND']);
    expect(tiffOrientation(chunks[1]!.data)).toBe(3);
    // What is on disk is what was downloaded.
    const onDisk = stored().map((f) => fs.readFileSync(path.join(uploads, f)));
    expect(onDisk.some((b) => b.equals(bytes))).toBe(true);
  });

  it("strips a squad member's patrol photo the same way", async () => {
    const squad = await loginAs(t.app, 'hanlin-squad1');
    const body = multipart([
      { name: 'categoryCode', value: '0201' },
      { name: 'description', value: '巡查发现楼道小广告' },
      { name: 'lat', value: String(HANLIN.lat) },
      { name: 'lng', value: String(HANLIN.lng) },
      { name: 'photos', filename: 'DSC0001.jpg', type: 'image/jpeg', data: phoneJpeg({ orientation: 1 }) },
    ]);
    const res = await squad.post('/api/v1/cases', body.payload, body.headers);
    expect(res.statusCode, res.body).toBe(201);
    const detail = (await squad.get(`/api/v1/cases/${(res.json() as CaseReceipt).id}`)).json() as Case;
    const photo = (await squad.get(detail.photos[0]!.url)).rawPayload;
    expect(photo.length).toBe(detail.photos[0]!.size);
    expect(await exifr.parse(photo)).toBeUndefined();
    expect(jpeg.decode(photo).width).toBe(64);
  });
});

describe('checks while the bytes arrive', () => {
  it('refuses a request whose third file is not a photo or PDF, and keeps neither file before it', async () => {
    const { client } = await newResident();
    const before = stored();
    const body = multipart([
      { name: 'itemId', value: item },
      { name: 'orgUnitId', value: community },
      ...bringParts,
      ...material('户口簿', 'a.png', PNG),
      ...material('收入证明', 'b.pdf', PDF, 'application/pdf'),
      ...material('说明', 'notes.txt', Buffer.from('just text, not a PDF'), 'application/pdf'),
    ]);
    const res = await client.post('/api/v1/applications', body.payload, body.headers);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'file-type',
      errors: [{ field: 'files/notes.txt', code: 'file-type' }],
    });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stored()).toEqual(before);
    expect(filesUnder(temp)).toEqual([]);
  });

  it('stops a 190 MB file at 10 MB with 413 naming it, before the client has sent the rest', async () => {
    const { headers } = await newResident();
    const before = stored();
    const a = await apply(headers, [pdfOf('files', 'scan.pdf', 190 * MB)]);
    expect(a.status).toBe(413);
    expect(problem(a)).toMatchObject({ code: 'file-too-large', errors: [{ field: 'files/scan.pdf' }] });
    expect(a.sent).toBeLessThan(100 * MB);
    expect(stored()).toEqual(before);
    await eventually(() => filesUnder(temp).length === 0);
  });

  it('refuses the 21st file before reading any of it, and keeps none of the twenty', async () => {
    const { headers } = await newResident();
    const before = stored();
    const files = Array.from({ length: 95 }, (_, i) => pdfOf('files', `p${i + 1}.pdf`, 1000));
    const a = await apply(headers, files);
    expect(a.status).toBe(400);
    expect(problem(a)).toMatchObject({ code: 'too-many-files', errors: [{ field: 'files/p21.pdf' }] });
    expect(stored()).toEqual(before);
    expect(filesUnder(temp)).toEqual([]);
  });

  it('removes the partial file of a client that drops the connection mid-file', async () => {
    const { headers, id } = await newResident();
    const before = stored();
    await apply(headers, [pdfOf('files', 'half.pdf', 9 * MB)], { abortAfter: 3 * MB });
    await eventually(() => filesUnder(temp).length === 0);
    expect(stored()).toEqual(before);
    // The file had begun: its reservation is in the ledger.
    expect((await ledgerOf(id)).files).toBe(1);
  });

  it('cuts off a body that stops arriving after UPLOAD_IDLE_SECONDS and removes its partial file', async () => {
    const { headers, id } = await newResident();
    const before = stored();
    const stalled = apply(headers, [pdfOf('files', 'stalled.pdf', 9 * MB)], { stallAfter: 2 * MB });
    await eventually(() => filesUnder(temp).length === 1);
    // The server gives up on it (1 s here) and closes the connection.
    await expect(stalled).rejects.toThrow();
    await eventually(() => filesUnder(temp).length === 0);
    expect(stored()).toEqual(before);
    // What arrived was counted: the reservation settled to the bytes received.
    const used = await ledgerOf(id);
    expect(used.files).toBe(1);
    expect(used.bytes).toBeGreaterThan(0);
    expect(used.bytes).toBeLessThanOrEqual(2 * MB);
  });
  it('answers a refused client that then stops sending, and closes its connection after UPLOAD_IDLE_SECONDS', async () => {
    const { headers } = await newResident();
    const port = new URL(base).port;
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (d) => (received += d));
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    const part =
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="notes.txt"\r\n` +
      `Content-Type: application/pdf\r\n\r\nnot a PDF at all, and more is never sent`;
    socket.write(
      'POST /api/v1/applications HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Cookie: ${headers.cookie}\r\nX-CSRF-Token: ${headers['x-csrf-token']}\r\n` +
        `Content-Type: ${MULTIPART_TYPE}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`,
    );
    // The answer comes at once; the body never ends, so the server closes the connection (1 s here).
    await eventually(() => received.includes('"code":"file-type"'));
    expect(received).toMatch(/^HTTP\/1\.1 400/);
    await eventually(() => closed, 5000);
  });
});

describe('limits per account', () => {
  it('answers the 7th upload request of a minute with 429 rate-limited, Retry-After and the limit; another account goes on', async () => {
    const { client } = await newResident();
    const send = (c: Client) => {
      const body = multipart([
        { name: 'itemId', value: item },
        { name: 'orgUnitId', value: community },
        ...bringParts,
      ]);
      return c.post('/api/v1/applications', body.payload, body.headers);
    };
    for (let i = 0; i < 6; i++) expect((await send(client)).statusCode).toBe(201);
    const refused = await send(client);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ code: 'rate-limited' });
    expect(refused.json().detail).toMatch(/At most 6 upload requests a minute per account/);
    expect((await send((await newResident()).client)).statusCode).toBe(201);
  });

  it('stops a file where it crosses the daily byte quota: 429 naming it, nothing of the request kept, Retry-After until midnight', async () => {
    const { headers, id } = await newResident();
    const before = stored();
    // 30 MB a day: three 9 MB files fit, the fourth crosses the quota 3 MB into it.
    const a = await apply(
      headers,
      [1, 2, 3, 4].map((n) => pdfOf('files', `${n}.pdf`, 9 * MB)),
    );
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe(String(14 * 3600));
    expect(problem(a)).toMatchObject({
      code: 'upload-quota',
      errors: [{ field: 'files/4.pdf', code: 'upload-quota' }],
    });
    expect(problem(a).detail).toMatch(/daily upload quota of 30 MB/);
    expect(stored()).toEqual(before);
    expect(filesUnder(temp)).toEqual([]);
    expect(await ledgerOf(id)).toEqual({ files: 4, bytes: 30 * MB });
    // The quota is used up: the next file is refused before any of its bytes are stored.
    const next = await apply(headers, [pdfOf('files', 'small.pdf', 1000)]);
    expect(next.status).toBe(429);
    expect(problem(next).detail).toMatch(/uploaded 30 MB today; the daily quota is 30 MB/);
    expect(await ledgerOf(id)).toEqual({ files: 4, bytes: 30 * MB });
    // The next Beijing day starts afresh.
    clock.advance(14 * 3600 * 1000);
    try {
      const again = socketHeaders(await sessionAs(t.app, id));
      expect((await apply(again, [pdfOf('files', 'small.pdf', 1000)])).status).toBe(201);
    } finally {
      clock.set('2026-11-27T02:00:00Z');
    }
  });

  it('counts files per day, and holds across server processes on one database', async () => {
    const { client, headers } = await newResident();
    const some = (n: number, p: string) =>
      Array.from({ length: n }, (_, i) => pdfOf('files', `${p}${i}.pdf`, 2000));
    expect((await apply(headers, some(20, 'a'))).status).toBe(201);
    expect((await apply(headers, some(5, 'b'))).status).toBe(201);
    // A second server process: its own memory (rate limits), the same database.
    const other = await buildApp({ config: t.config, database: t.database, logger: false, clock });
    try {
      const body = multipart([
        { name: 'itemId', value: item },
        { name: 'orgUnitId', value: community },
        ...bringParts,
        ...material('补充', 'more.pdf', PDF, 'application/pdf'),
      ]);
      const res = await other.inject({
        method: 'POST',
        url: '/api/v1/applications',
        payload: body.payload,
        headers: { ...body.headers, ...socketHeaders(client) },
      });
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ code: 'upload-quota', errors: [{ field: 'files/more.pdf' }] });
      expect(res.json().detail).toMatch(/uploaded 25 files today; the daily limit is 25 files/);
    } finally {
      await other.close();
    }
  });

  it('never lets concurrent requests of one account store more than the quota together', async () => {
    const { headers, id } = await newResident();
    const before = stored().length;
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, r) =>
        apply(headers, [pdfOf('files', `c${r}a.pdf`, 4 * MB), pdfOf('files', `c${r}b.pdf`, 4 * MB)]),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 429)).toBe(true);
    expect(statuses).toContain(429);
    const kept = stored().slice(before);
    const keptBytes = stored()
      .map((f) => fs.statSync(path.join(uploads, f)).size)
      .slice(before)
      .reduce((a, b) => a + b, 0);
    expect(kept.length).toBe(statuses.filter((s) => s === 201).length * 2);
    expect(keptBytes).toBeLessThanOrEqual(30 * MB);
    expect((await ledgerOf(id)).bytes).toBeLessThanOrEqual(30 * MB);
    expect(filesUnder(temp)).toEqual([]);
  });
});

describe('start-up', () => {
  it('removes temp files that a crashed process left over an hour ago, and only those', async () => {
    fs.mkdirSync(temp, { recursive: true });
    const old = path.join(temp, 'crashed.jpg.part');
    const fresh = path.join(temp, 'arriving.pdf.part');
    fs.writeFileSync(old, 'left by a process killed mid-upload');
    fs.writeFileSync(fresh, 'another process is still writing this');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
    const restarted = await buildApp({ config: t.config, database: t.database, logger: false, clock });
    try {
      await restarted.ready();
      expect(filesUnder(temp)).toEqual(['arriving.pdf.part']);
    } finally {
      await restarted.close();
      fs.rmSync(fresh, { force: true });
    }
  });
});
