/**
 * `npm run bench:uploads -w bench`: the server's memory while large uploads arrive (issue #13:
 * "server memory stays within 100 MB of its idle size while four 190 MB requests arrive").
 *
 * Starts the real server process (`node --import tsx apps/server/src/main.ts`, embedded database,
 * fresh data dir, demo data, default settings), signs residents in by one-time code, measures the
 * process's idle RSS (/proc/<pid>/status), then sends four 190 MB multipart applications at once
 * over real sockets in each of these shapes, sampling the RSS every 20 ms:
 *
 * - accepted: four residents, 19 files of 10 MB each (within the 200 MB daily quota): all stored;
 * - one file: four residents, one 190 MB file each: refused at 10 MB (413 file-too-large);
 * - many files: four residents, 95 files of 2 MB each: refused at the 21st (400 too-many-files);
 * - one account: one resident sends all four: the daily quota stops them (429 upload-quota).
 *
 * The clients stop sending when the server answers, as browsers do. Prints a table; exits 1 when
 * a peak is 100 MB or more above the idle size. Env: DATABASE_URL to run it on PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const MB = 1024 * 1024;
const BOUNDARY = '----linli-bench-uploads';
const ZEROS = Buffer.alloc(64 * 1024);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const rssOf = (pid: number): number => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb * 1024;
};

async function startServer(): Promise<{ url: string; child: ChildProcess; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-uploads-'));
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      LINLI_DEMO: 'on',
      LINLI_DEMO_HISTORY: 'off',
      LOG_LEVEL: 'warn',
      SERVE_WEB: 'off',
      OTP_RATE_PER_IP_PER_HOUR: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill());
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${out}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`server not ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, dataDir };
}

/** Signs a resident in by one-time code (the development sender's code), as the resident app does. */
async function residentSession(url: string, phone: string): Promise<Record<string, string>> {
  const json = { 'content-type': 'application/json', origin: url };
  const sent = await fetch(`${url}/api/v1/auth/otp`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ phone }),
  });
  if (!sent.ok) throw new Error(`otp: ${sent.status} ${await sent.text()}`);
  const { code } = (await (await fetch(`${url}/api/v1/dev/otp/${phone}`)).json()) as { code: string };
  const res = await fetch(`${url}/api/v1/auth/otp/verify`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ phone, code }),
  });
  if (!res.ok) throw new Error(`verify: ${res.status} ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('linli_csrf='))?.split('=')[1] ?? '';
  return { cookie: cookies.join('; '), 'x-csrf-token': csrf };
}

interface FilePart {
  filename: string;
  size: number;
}

/** Form fields as name/value pairs: a name may repeat (`bringMaterials`). */
type Fields = readonly (readonly [string, string])[];

async function* body(fields: Fields, files: FilePart[]): AsyncGenerator<Buffer> {
  for (const [k, v] of fields)
    yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  for (const f of files) {
    yield Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="${f.filename}"\r\n` +
        'Content-Type: application/pdf\r\n\r\n%PDF-1.4\n',
    );
    for (let left = f.size - 9; left > 0; left -= ZEROS.length)
      yield left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left);
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${BOUNDARY}--\r\n`);
}

/** POSTs a generated body with backpressure; stops sending once the answer has come. */
function post(url: string, headers: Record<string, string>, chunks: AsyncIterable<Buffer>) {
  return new Promise<{ status: number; code: string; sent: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'transfer-encoding': 'chunked',
      },
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let code = '';
        try {
          code = (JSON.parse(text) as { code?: string }).code ?? '';
        } catch {}
        resolve({ status: res.statusCode ?? 0, code, sent });
        req.destroy();
      });
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    (async () => {
      for await (const c of chunks) {
        if (answered || req.destroyed) return;
        sent += c.length;
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      if (!answered) req.end();
    })().catch(reject);
  });
}

const files = (n: number, size: number, p: string) =>
  Array.from({ length: n }, (_, i) => ({ filename: `${p}-${i + 1}.pdf`, size }));

async function main() {
  const { url, child, dataDir } = await startServer();
  const pid = child.pid!;
  try {
    const units = (await (
      await fetch(`${url}/api/v1/org-units?q=${encodeURIComponent('家和社区')}`)
    ).json()) as {
      items: { id: string }[];
    };
    const items = (await (
      await fetch(`${url}/api/v1/service-items?q=${encodeURIComponent('低保')}`)
    ).json()) as { items: { id: string; name: string }[] };
    const itemId = items.items.find((i) => i.name === '最低生活保障')!.id;
    const item = (await (await fetch(`${url}/api/v1/service-items/${itemId}`)).json()) as {
      guide: { materials: { name: string; required: boolean }[] };
    };
    // The uploads carry no material's name, so every required material is marked as brought to
    // the service room: the server accepts the application only with each one accounted for.
    const fields: Fields = [
      ['itemId', itemId],
      ['orgUnitId', units.items[0]!.id],
      ...item.guide.materials.filter((m) => m.required).map((m) => ['bringMaterials', m.name] as const),
    ];
    let phone = 13900000000;
    const residents = async (n: number) =>
      Promise.all(Array.from({ length: n }, () => residentSession(url, String(++phone))));
    // Warm-up: one small application, so the code paths are loaded before "idle" is measured.
    const warm = await post(
      `${url}/api/v1/applications`,
      (await residents(1))[0]!,
      body(fields, files(2, 100_000, 'w')),
    );
    if (warm.status !== 201) throw new Error(`warm-up application: ${warm.status} ${warm.code}`);

    const shapes: {
      name: string;
      make: () => Promise<Promise<{ status: number; code: string; sent: number }>[]>;
    }[] = [
      {
        name: 'accepted: 4 residents × 19 files × 10 MB',
        make: async () =>
          (await residents(4)).map((h, r) =>
            post(`${url}/api/v1/applications`, h, body(fields, files(19, 10 * MB, `a${r}`))),
          ),
      },
      {
        name: 'one file: 4 residents × 1 file × 190 MB',
        make: async () =>
          (await residents(4)).map((h, r) =>
            post(`${url}/api/v1/applications`, h, body(fields, files(1, 190 * MB, `b${r}`))),
          ),
      },
      {
        name: 'many files: 4 residents × 95 files × 2 MB',
        make: async () =>
          (await residents(4)).map((h, r) =>
            post(`${url}/api/v1/applications`, h, body(fields, files(95, 2 * MB, `c${r}`))),
          ),
      },
      {
        name: 'one account: 1 resident × 4 × (19 × 10 MB)',
        make: async () => {
          const [h] = await residents(1);
          return [0, 1, 2, 3].map((r) =>
            post(`${url}/api/v1/applications`, h!, body(fields, files(19, 10 * MB, `d${r}`))),
          );
        },
      },
    ];

    const rows: string[] = [];
    let worst = 0;
    for (const shape of shapes) {
      await new Promise((r) => setTimeout(r, 1500));
      const idleSamples: number[] = [];
      for (let i = 0; i < 20; i++) {
        idleSamples.push(rssOf(pid));
        await new Promise((r) => setTimeout(r, 25));
      }
      const idle = idleSamples.sort((a, b) => a - b)[10]!;
      const pending = await shape.make();
      let peak = idle;
      let done = false;
      const sampler = (async () => {
        while (!done) {
          peak = Math.max(peak, rssOf(pid));
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const started = performance.now();
      const answers = await Promise.all(pending);
      const seconds = (performance.now() - started) / 1000;
      done = true;
      await sampler;
      const statuses = answers.map((a) => `${a.status}${a.code ? ` ${a.code}` : ''}`);
      const sentMb = answers.reduce((s, a) => s + a.sent, 0) / MB;
      worst = Math.max(worst, peak - idle);
      rows.push(
        `| ${shape.name} | ${(idle / MB).toFixed(0)} | ${(peak / MB).toFixed(0)} | +${((peak - idle) / MB).toFixed(0)} | ${sentMb.toFixed(0)} | ${seconds.toFixed(1)} | ${[...new Set(statuses)].map((s) => `${statuses.filter((x) => x === s).length}× ${s}`).join(', ')} |`,
      );
    }
    console.log(
      `\nLinli upload memory (${os.cpus().length} cores, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})\n`,
    );
    console.log(
      '| four 190 MB requests at once | idle RSS MB | peak RSS MB | peak − idle | MB sent | s | answers |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) console.log(r);
    console.log(`\nworst peak above idle: ${(worst / MB).toFixed(0)} MB (budget: < 100 MB)`);
    if (worst >= 100 * MB) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
