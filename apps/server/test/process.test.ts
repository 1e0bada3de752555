import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cwd = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function startServer(env: Record<string, string>) {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: { ...process.env, DATABASE_URL: '', SERVE_WEB: 'off', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

/** Runs one of the server's scripts (`npm run backup` …) to completion. */
function runScript(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd,
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Waits for /readyz; the bound only catches a server that never comes up (a shared CI box can be slow). */
async function waitReady(url: string, child: ChildProcess, output: () => string) {
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(output());
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`not ready:\n${output()}`);
}

describe('the server process', () => {
  it('refuses to start with a bad setting and names the variable', async () => {
    const { exited, output } = startServer({ PORT: 'eighty' });
    expect(await exited).toBe(78);
    expect(output()).toMatch(/invalid configuration — PORT: must be a whole number, got "eighty"/);
  });

  it('keeps its data across restarts and finishes in-flight requests on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-proc-'));
    dirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATA_DIR: dataDir, LINLI_DEMO: 'on' };

    const first = startServer(env);
    await waitReady(url, first.child, first.output);
    expect(first.output()).toMatch(/Demo accounts created/);
    // The embedded database is this server's alone: a second server and a backup are refused.
    const lockFile = path.join(dataDir, 'linli.lock');
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid).toBe(first.child.pid);
    const rival = startServer({ ...env, PORT: String(await freePort()) });
    expect(await rival.exited).toBe(75);
    expect(rival.output()).toMatch(/in use by a running Linli server \(pid \d+/);
    const backup = await runScript('src/scripts/backup.ts', ['--out', `${dataDir}-never`], env);
    expect(backup.code).toBe(1);
    expect(backup.output).toMatch(/backup refused: .* stop the server first/);
    expect(fs.existsSync(`${dataDir}-never`)).toBe(false);
    // A request whose body is still arriving is in flight: headers sent, the rest held back
    // until after SIGTERM. It must still be answered in full.
    const body = JSON.stringify({ username: 'admin', password: 'wrong-password-123' });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        `${url}/api/v1/auth/login`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        first.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    const res = await answer;
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).code).toBe('login-failed');
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(lockFile)).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    const second = startServer(env);
    await waitReady(url, second.child, second.output);
    // Demo data is only created on an empty database: the second start finds it already there.
    expect(second.output()).not.toMatch(/Demo accounts created/);
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { status: string };
    expect(ready.status).toBe('ready');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // The same demo database on an address other machines can reach, without LINLI_DEV: refused.
    const exposed = startServer({ ...env, HOST: '0.0.0.0', LINLI_DEMO: '', NODE_ENV: '' });
    expect(await exposed.exited).toBe(78);
    expect(exposed.output()).toMatch(/demo district.*admin.*published demo password/s);
    expect(exposed.output()).toMatch(/LINLI_DEV=on/);
  }, 420_000);

  it('serves no development conveniences on 0.0.0.0 unless LINLI_DEV=on', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-proc-'));
    dirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // NODE_ENV unset, HOST=0.0.0.0, no LINLI_DEV: what the README's start did before.
    const env = { PORT: String(port), DATA_DIR: dataDir, HOST: '0.0.0.0', NODE_ENV: '', LINLI_DEMO: '' };
    const plain = startServer(env);
    await waitReady(url, plain.child, plain.output);
    expect(plain.output()).not.toMatch(/Demo accounts created|Development conveniences are ON/);
    const otp = await fetch(`${url}/api/v1/dev/otp/13800000001`);
    expect(otp.status).toBe(404);
    expect(((await otp.json()) as { code: string }).code).toBe('route-not-found');
    expect((await fetch(`${url}/api/v1/dev/sms/13800000001`)).status).toBe(404);
    // No SMS provider configured: sign-in by code says so instead of writing codes to a log.
    const send = await fetch(`${url}/api/v1/auth/otp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '13800000001' }),
    });
    expect(send.status).toBe(503);
    plain.child.kill('SIGTERM');
    expect(await plain.exited).toBe(0);

    // Explicitly switched on: the demo is shown on the network, and the console says so.
    const demo = startServer({ ...env, LINLI_DEV: 'on' });
    await waitReady(url, demo.child, demo.output);
    expect(demo.output()).toMatch(/Development conveniences are ON/);
    await fetch(`${url}/api/v1/auth/otp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '13800000001' }),
    });
    expect((await fetch(`${url}/api/v1/dev/otp/13800000001`)).status).toBe(200);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  }, 420_000);
});
