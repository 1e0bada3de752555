import type { ModuleManifest } from './module';

/** The module list cannot be started: a missing dependency, a cycle, a name used twice. */
export class ModuleGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleGraphError';
  }
}

/**
 * The modules in start order: every module after the modules it depends on, otherwise in the
 * order of the list (so seeds and routes come in a stable order). A dependency that is not in
 * the list, a cycle, or two modules of one name stop the start with a message naming them.
 */
export function orderModules(modules: readonly ModuleManifest[]): ModuleManifest[] {
  const byName = new Map<string, ModuleManifest>();
  for (const m of modules) {
    if (byName.has(m.name)) throw new ModuleGraphError(`module "${m.name}" is listed twice`);
    byName.set(m.name, m);
  }
  for (const m of modules) {
    for (const d of m.dependsOn) {
      if (d === m.name) throw new ModuleGraphError(`module "${m.name}" depends on itself`);
      if (!byName.has(d))
        throw new ModuleGraphError(`module "${m.name}" depends on "${d}", which is not in modules/index.ts`);
    }
  }
  const ordered: ModuleManifest[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: ModuleManifest, path: string[]) => {
    const s = state.get(m.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(m.name)), m.name];
      throw new ModuleGraphError(`modules depend on each other in a cycle: ${cycle.join(' → ')}`);
    }
    state.set(m.name, 'visiting');
    for (const d of m.dependsOn) visit(byName.get(d)!, [...path, m.name]);
    state.set(m.name, 'done');
    ordered.push(m);
  };
  for (const m of modules) visit(m, []);
  return ordered;
}
