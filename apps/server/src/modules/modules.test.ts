import fs from 'node:fs';
import path from 'node:path';
import { PERMISSIONS } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import type { ModuleManifest } from '../core/module';
import { ModuleGraphError, orderModules } from '../core/module-registry';
import { buildTestApp, openTestDatabase, type TestApp } from '../../test/harness';
import { testConfig } from '../../test/config';
import { MODULES } from '.';

/**
 * The module list is the wiring: every folder is listed, every manifest says what its module
 * really has (routes, permissions, dependencies, personal data, jobs, events), and a list that
 * cannot start (a missing module, a cycle) stops the start with a message.
 */

const MODULES_DIR = path.dirname(new URL(import.meta.url).pathname);
const ROUTE_PSEUDO_PERMISSIONS = new Set(['public', 'signed-in', 'resident', 'staff']);

const folders = fs
  .readdirSync(MODULES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** Every non-test source file of a module folder, recursively. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(d.name) && !/\.test\.ts$/.test(d.name) && !/fixtures?\.ts$/.test(d.name) ? [p] : [];
  });
}

/** The other modules a module's source imports (relative imports resolved to their folder). */
function importedModules(name: string): string[] {
  const found = new Set<string>();
  for (const file of sourceFiles(path.join(MODULES_DIR, name))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      const rel = path.relative(MODULES_DIR, target);
      if (rel.startsWith('..')) continue; // core, config, contracts
      const owner = rel.split(path.sep)[0]!;
      if (owner !== name && folders.includes(owner)) found.add(owner);
    }
  }
  return [...found].sort();
}

const fake = (name: string, dependsOn: string[]): ModuleManifest => ({
  name,
  dependsOn,
  routes: [],
  permissions: [],
});

describe('the module list', () => {
  it('lists every module folder once, by its folder name', () => {
    expect(MODULES.map((m) => m.name).sort()).toEqual(folders);
  });

  it("declares in each manifest exactly the modules the module's code imports", () => {
    for (const m of MODULES) {
      expect({ module: m.name, dependsOn: [...m.dependsOn].sort() }).toEqual({
        module: m.name,
        dependsOn: importedModules(m.name),
      });
    }
  });

  it('starts modules after the modules they depend on, otherwise in list order', () => {
    const order = orderModules(MODULES).map((m) => m.name);
    for (const m of MODULES) {
      for (const d of m.dependsOn) expect(order.indexOf(d)).toBeLessThan(order.indexOf(m.name));
    }
    expect(orderModules([fake('b', ['a']), fake('c', []), fake('a', [])]).map((m) => m.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('refuses a missing module, a cycle, a self-dependency and a name listed twice, naming them', () => {
    expect(() => orderModules([fake('a', ['ghost'])])).toThrow(
      new ModuleGraphError('module "a" depends on "ghost", which is not in modules/index.ts'),
    );
    expect(() => orderModules([fake('a', ['b']), fake('b', ['c']), fake('c', ['a'])])).toThrow(
      'modules depend on each other in a cycle: a → b → c → a',
    );
    expect(() => orderModules([fake('a', ['a'])])).toThrow('module "a" depends on itself');
    expect(() => orderModules([fake('a', []), fake('a', [])])).toThrow('module "a" is listed twice');
  });

  it('declares each permission of the contracts in exactly one manifest, and only those', () => {
    const declared = MODULES.flatMap((m) => m.permissions.map((p) => ({ p, module: m.name })));
    for (const { p } of declared) expect(Object.keys(PERMISSIONS)).toContain(p);
    const owners = new Map<string, string[]>();
    for (const { p, module } of declared) owners.set(p, [...(owners.get(p) ?? []), module]);
    for (const p of Object.keys(PERMISSIONS))
      expect({ p, owners: owners.get(p) ?? [] }).toMatchObject({ p, owners: [expect.any(String)] });
  });

  it("names every declared permission in the module's own code", () => {
    for (const m of MODULES) {
      const code = sourceFiles(path.join(MODULES_DIR, m.name))
        .filter((f) => path.basename(f) !== 'index.ts')
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n');
      for (const p of m.permissions)
        expect({ module: m.name, p, used: code.includes(`'${p}'`) }).toEqual({
          module: m.name,
          p,
          used: true,
        });
    }
  });

  it('declares personal data for every module that keeps a personal-data source', () => {
    for (const m of MODULES) {
      const hasSource = fs.existsSync(path.join(MODULES_DIR, m.name, 'personal-data.ts'));
      expect({ module: m.name, declared: Boolean(m.personalData) }).toEqual({
        module: m.name,
        declared: hasSource,
      });
    }
  });

  it("prefixes each job and event with its module's name, once each", () => {
    const jobs = MODULES.flatMap((m) => (m.jobs ?? []).map((j) => ({ module: m.name, name: j.name })));
    const events = MODULES.flatMap((m) => (m.events ?? []).map((e) => ({ module: m.name, name: e.code })));
    for (const list of [jobs, events]) {
      for (const x of list) expect(x.name.startsWith(`${x.module}.`)).toBe(true);
      expect(new Set(list.map((x) => x.name)).size).toBe(list.length);
    }
  });

  it("prefixes each workbench source with its module's name, once each, naming a permission the contracts define", () => {
    const sources = MODULES.flatMap((m) =>
      (m.workbench ?? []).map((s) => ({ module: m.name, key: s.key, permission: s.permission })),
    );
    // The modules that have work to show contribute cards; a list without any would be a wiring slip.
    expect(new Set(sources.map((s) => s.module))).toEqual(new Set(['cases', 'service-guide', 'admission']));
    for (const s of sources) {
      expect(s.key.startsWith(`${s.module}.`)).toBe(true);
      expect(Object.keys(PERMISSIONS)).toContain(s.permission);
    }
    expect(new Set(sources.map((s) => s.key)).size).toBe(sources.length);
  });

  it('names each metric family linli_<module>_…, once each', () => {
    // Collectors are only read at scrape time: building them touches no database.
    const metrics = MODULES.flatMap((m) =>
      (m.metrics?.(null as never) ?? []).map((c) => ({ module: m.name, name: c.name })),
    );
    for (const x of metrics)
      expect(x.name).toMatch(new RegExp(`^linli_${x.module.replace(/-/g, '_')}_[a-z_]+$`));
    expect(new Set(metrics.map((x) => x.name)).size).toBe(metrics.length);
  });
});

describe('the app mounted from the list', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it("mounts every manifest's routes, each naming a permission its module declares", () => {
    const routes = [...t.app.routeModules.entries()];
    for (const m of MODULES) {
      if (m.routes.length) expect(routes.some(([, r]) => r.module === m.name)).toBe(true);
    }
    for (const [route, { module, permission }] of routes) {
      if (!permission || ROUTE_PSEUDO_PERMISSIONS.has(permission)) continue;
      const manifest = MODULES.find((m) => m.name === module)!;
      expect({
        route,
        module,
        permission,
        declared: manifest.permissions.includes(permission as never),
      }).toMatchObject({
        declared: true,
      });
    }
  });

  it("shows a person the cards of every manifest's workbench source whose permission they hold, and no other", async () => {
    const board = t.app.workbench;
    const all = MODULES.flatMap((m) => (m.workbench ?? []).map((s) => s.key));
    const grant = (permissions: string[]) => ({
      kind: 'staff' as const,
      accountId: null,
      districtId: null,
      displayName: 'x',
      sessionId: null,
      grants: [
        { roleCode: 'x', orgUnitId: 'u', orgPath: '/u/', permissions: new Set(permissions as never[]) },
      ],
    });
    expect(board.sourcesFor(grant(Object.keys(PERMISSIONS))).map((s) => s.source.key)).toEqual(all);
    expect(board.sourcesFor(grant(['cases.verify'])).map((s) => s.source.key)).toEqual(['cases.verify']);
    expect(board.sourcesFor(grant([]))).toEqual([]);
  });

  it('offers every mounted API route in the OpenAPI document and no route outside a module', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`),
      ),
    );
    for (const key of documented)
      expect({ key, module: t.app.routeModules.has(key) }).toEqual({ key, module: true });
  });

  it('stops an app whose module list has a cycle before it mounts anything', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      await expect(
        buildApp({
          config: testConfig(),
          database,
          logger: false,
          modules: [fake('a', ['b']), fake('b', ['a'])],
        }),
      ).rejects.toThrow('modules depend on each other in a cycle: a → b → a');
    } finally {
      await drop();
    }
  });
});
