import { ERROR_CODES } from '@linli/contracts';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../harness';
import { type FuzzRequest, type Operation, requestsFor, Unsupported } from './generator';

/**
 * The fuzzer (issue #13, item 5): every operation of the OpenAPI document gets malformed input
 * (test/fuzz/generator.ts), sent as an anonymous caller, a resident and a district admin. It fails
 * on any 5xx, any answer slower than 2 s (a hang detector, not a performance budget), and any
 * error answer that is not problem+json (Open311's own error documents on its routes). Requests
 * come from a fixed seed, per operation, so an operation's requests do not depend on the others;
 * FUZZ_SEED tries another seed, and a failure names the seed, the operation and the case.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_127);
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 10);
const HANG_MS = 2000;
const RESIDENT_PHONE = '13800000001';
const ADMIN = 'admin';
const MANY = 1_000_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const CODES = new Set<string>(ERROR_CODES);

let t: TestApp;
// Services see a clock of the test's own, never the wall clock.
const clock = new FakeClock();
beforeAll(async () => {
  // Limits high enough that most requests reach the handlers; a 429 would still pass the checks.
  t = await buildTestApp(
    {
      otpRatePerPhonePerHour: MANY,
      otpRatePerIpPerHour: MANY,
      loginRatePerIpPerMinute: MANY,
      open311PostsPerKeyPerMinute: MANY,
      lockoutThreshold: MANY,
      uploadRequestsPerMinute: MANY,
      uploadResidentFilesPerDay: MANY,
      uploadResidentMbPerDay: MANY,
      uploadStaffFilesPerDay: MANY,
      uploadStaffMbPerDay: MANY,
    },
    { clock, logger: { level: 'error', stream: { write: (line: string) => logged(line) } } },
  );
});

/** The server's logged errors by request id: a failure shows what went wrong inside. */
const serverErrors = new Map<string, string>();
function logged(line: string) {
  const entry = JSON.parse(line) as {
    reqId?: string;
    msg?: string;
    err?: { type?: string; message?: string };
  };
  // A failed query's message is its SQL, then its parameters, then the database's own words.
  const err = entry.err;
  const message = err?.message ?? entry.msg ?? '';
  const what = message.length > 400 ? `${message.slice(0, 80)} … ${message.slice(-300)}` : message;
  if (entry.reqId) serverErrors.set(entry.reqId, `${err?.type ?? 'error'}: ${what}`);
}
afterAll(() => t?.close());

/** FNV-1a: each operation's own seed, from the run's seed and the operation. */
function seedOf(key: string): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

type Doc = { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> };

function operationsOf(doc: Doc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) ops.push({ ...op, method, path });
  }
  const key = (o: Operation) => `${o.path} ${o.method}`;
  return ops.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Open311 routes answer errors in GeoReport's own format, as their documented error responses say. */
function open311Errors(op: Operation): boolean {
  return Object.entries(op.responses ?? {}).some(
    ([status, r]) => Number(status) >= 400 && r.content?.['application/json']?.schema?.type === 'array',
  );
}

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** What is wrong with an answer, or null. */
function judge(op: Operation, method: string, res: Answer, ms: number): string | null {
  if (res.statusCode >= 500) return `${res.statusCode}`;
  if (ms > HANG_MS) return `took ${Math.round(ms)} ms`;
  if (res.statusCode < 400) return null;
  const type = String(res.headers['content-type'] ?? '');
  if (open311Errors(op) && /^(application\/json|text\/xml|application\/xml)/.test(type)) {
    if (type.startsWith('application/json')) {
      const doc = JSON.parse(res.body) as { code?: unknown; description?: unknown }[];
      if (
        !Array.isArray(doc) ||
        !doc.every((e) => typeof e.code === 'number' && typeof e.description === 'string')
      )
        return `${res.statusCode} not an Open311 error document: ${res.body.slice(0, 120)}`;
    } else if (!res.body.includes('<errors>')) return `${res.statusCode} not an Open311 error document`;
    return null;
  }
  if (!type.startsWith('application/problem+json'))
    return `${res.statusCode} as ${type || 'no content type'}`;
  if (method === 'HEAD') return null;
  let problem: { status?: unknown; code?: unknown; type?: unknown; title?: unknown };
  try {
    problem = JSON.parse(res.body);
  } catch {
    return `${res.statusCode} problem that is not JSON: ${res.body.slice(0, 120)}`;
  }
  if (problem.status !== res.statusCode)
    return `problem status ${String(problem.status)} on a ${res.statusCode}`;
  if (typeof problem.code !== 'string' || !CODES.has(problem.code))
    return `${res.statusCode} problem code ${String(problem.code)} not in contracts' ERROR_CODES`;
  if (typeof problem.type !== 'string' || typeof problem.title !== 'string')
    return `${res.statusCode} problem without type or title`;
  return null;
}

it('answers malformed input to every operation with a 4xx problem, never a 5xx or a hang', async () => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const doc = (await t.app.inject('/api/openapi.json')).json() as Doc;
  const operations = operationsOf(doc);

  const signIn = {
    resident: () => {
      // Past the one-minute cool-down of the resident's last code.
      clock.advance(61_000);
      return residentLogin(t, RESIDENT_PHONE);
    },
    'district admin': () => loginAs(t.app, ADMIN),
  };
  const callers = new Map<string, Client>([
    ['anonymous', new Client(t.app)],
    ['resident', await signIn.resident()],
    ['district admin', await signIn['district admin']()],
  ]);
  const own = new Set<string>();
  for (const who of ['resident', 'district admin'] as const) {
    const c = callers.get(who)!;
    own.add((await c.get('/api/v1/me')).json().id);
    for (const s of (await c.get('/api/v1/me/sessions')).json().items) own.add(s.id);
  }

  // Ids of seeded records, from every list the signed-in callers can read, so that by-id routes
  // reach their handlers. Their own accounts and sessions stay out: signing out is not the point.
  const ids = new Set<string>();
  for (const op of operations) {
    if (op.method !== 'get' || op.path.includes('{') || op.path.startsWith('/open311')) continue;
    for (const who of ['resident', 'district admin']) {
      const res = await callers.get(who)!.get(op.path);
      for (const id of res.body.match(UUID) ?? []) if (!own.has(id)) ids.add(id);
    }
  }
  const ctx = { ids: [...ids].sort() };

  const failures: string[] = [];
  const statuses = new Map<string, number>();
  let requests = 0;
  let targetedCases = 0;
  const keepSignedIn = async (who: string) => {
    if (who === 'anonymous') return;
    const c = callers.get(who)!;
    if (c.cookies.has('linli_session') && (await c.get('/api/v1/me')).statusCode === 200) return;
    callers.set(who, await signIn[who as keyof typeof signIn]());
  };

  for (const op of operations) {
    const key = `${op.method.toUpperCase()} ${op.path}`;
    let cases: FuzzRequest[];
    try {
      const { targeted, random } = requestsFor(op, ctx);
      const seed = seedOf(key);
      cases = [
        ...targeted.flatMap((arb, i) => fc.sample(arb, { seed: seed + i + 1, numRuns: 1 })),
        ...fc.sample(random, { seed, numRuns: CASES_PER_OPERATION }),
      ];
      targetedCases += targeted.length;
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      failures.push(`${key}: the fuzzer cannot build requests for it: ${err.message}`);
      continue;
    }
    for (const [i, r] of cases.entries()) {
      for (const who of callers.keys()) {
        const client = callers.get(who)!;
        const begin = performance.now();
        const res = await client.request({
          method: r.method as 'GET',
          url: r.url,
          headers: r.headers,
          payload: r.payload,
        });
        const ms = performance.now() - begin;
        requests++;
        const status = res.statusCode < 300 ? '2xx' : String(res.statusCode);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const wrong = judge(op, r.method, res, ms);
        if (wrong) {
          failures.push(
            `${key} case ${i} as ${who} (seed ${seedOf(key)}): ${r.label} → ${wrong}; ${r.method} ${r.url.slice(0, 160)}` +
              (res.statusCode >= 500
                ? `; logged: ${serverErrors.get(String(res.headers['x-request-id'])) ?? res.body}`
                : ''),
          );
        }
      }
    }
    for (const who of callers.keys()) await keepSignedIn(who);
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const used = process.cpuUsage(cpu);
  const cpuSeconds = ((used.user + used.system) / 1e6).toFixed(1);
  console.log(
    `fuzz: seed ${SEED}, ${operations.length} operations, ${requests} requests ` +
      `(${targetedCases} targeted cases, one per field, and ${CASES_PER_OPERATION} random cases per ` +
      `operation, each as ${callers.size} callers), ${ids.size} seeded ids, ` +
      `${failures.length} failures, ${seconds} s (${cpuSeconds} s of CPU); answers: ` +
      [...statuses]
        .sort()
        .map(([k, n]) => `${k} ×${n}`)
        .join(', '),
  );
  expect(failures).toEqual([]);
  // The whole run's limit: ~30 s of CPU, which took 60 s alone and 155 s beside a loaded browser
  // suite on 2 cores. Each request has its own 2-s hang detector above; this only ends a run that
  // cannot finish.
}, 360_000);
