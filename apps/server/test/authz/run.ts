import { afterAll, beforeAll, expect, it } from 'vitest';
import { FIXTURES } from './fixtures';
import { type Method, type Operation, runOperation } from './matrix';
import { buildWorld, type World } from './world';

/** The operations of the app's OpenAPI document, with their declared permission, sorted. */
export async function operations(w: World): Promise<Operation[]> {
  const doc = (await w.app.inject('/api/openapi.json')).json() as {
    paths: Record<string, Record<string, { 'x-permission'?: string }>>;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const m = method.toUpperCase() as Method;
      ops.push({ key: `${m} ${path}`, method: m, path, permission: op['x-permission'] ?? '(none)' });
    }
  }
  return ops.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * One part of the matrix (the operations whose index is `part` modulo `of`), so vitest's workers
 * run the parts side by side, each on its own world.
 */
export function matrixPart(part: number, of: number) {
  let w: World;
  let ops: Operation[];
  let worldMs = 0;
  let worldCpu = 0;
  beforeAll(async () => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    w = await buildWorld();
    worldMs = Math.round(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    worldCpu = Math.round((c1.user + c1.system) / 1000);
    ops = await operations(w);
  }, 600_000);
  afterAll(() => w?.close());

  if (part === 0) {
    it('has a fixture for every operation of the OpenAPI document, and none for operations it lacks', () => {
      const keys = new Set(ops.map((o) => o.key));
      const withoutFixture = ops.filter((o) => !FIXTURES[o.key]).map((o) => `${o.key} (${o.permission})`);
      const stale = Object.keys(FIXTURES).filter((k) => !keys.has(k));
      expect({ withoutFixture, stale }).toEqual({ withoutFixture: [], stale: [] });
    });
  }

  it(`answers every operation as its x-permission and the scope rules say (part ${part + 1} of ${of})`, async () => {
    // AUTHZ_ONLY=<regex> runs only the matching operations (while writing a fixture).
    const only = process.env.AUTHZ_ONLY ? new RegExp(process.env.AUTHZ_ONLY) : null;
    const mine = ops.filter((o, i) => i % of === part && (!only || only.test(o.key)));
    const report: Record<string, string[]> = {};
    let requests = 0;
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const timing: [string, number, number][] = [];
    const lenient: Record<string, string[]> = {};
    for (const op of mine) {
      const fixture = FIXTURES[op.key];
      if (!fixture) continue; // reported by the fixture test
      const t0 = process.cpuUsage();
      const out = await runOperation(w, op, fixture);
      const t1 = process.cpuUsage(t0);
      timing.push([op.key, Math.round((t1.user + t1.system) / 1000), out.requests]);
      if (out.lenient.length) lenient[op.key] = out.lenient;
      // Every operation is exercised for someone who may call it, not only refused.
      if (out.allowed === 0)
        out.violations.push('no caller was allowed this operation: its fixture never shows it working');
      requests += out.requests;
      if (out.violations.length) report[op.key] = out.violations;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const cpu1 = process.cpuUsage(cpu0);
    const cpuSeconds = ((cpu1.user + cpu1.system) / 1e6).toFixed(1);
    console.log(
      `authorization matrix part ${part + 1}/${of}: ${mine.length} operations × ${w.callers.length} callers, ` +
        `${requests} requests checked in ${seconds} s (${cpuSeconds} s of CPU; the world took ${(worldMs / 1000).toFixed(1)} s, ` +
        `${(worldCpu / 1000).toFixed(1)} s of CPU), ${Object.keys(report).length} operations with violations`,
    );
    if (process.env.AUTHZ_REPORT) {
      const fs = await import('node:fs');
      timing.sort((a, b) => b[1] - a[1]);
      fs.writeFileSync(
        `${process.env.AUTHZ_REPORT}-timing-${part + 1}.json`,
        JSON.stringify({ world: worldMs, timing, lenient }, null, 1),
      );
      fs.writeFileSync(`${process.env.AUTHZ_REPORT}-${part + 1}.json`, JSON.stringify(report, null, 1));
    }
    expect(report).toEqual({});
  }, 900_000);
}
