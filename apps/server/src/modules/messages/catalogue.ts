import type { ModuleManifest, NotificationEventDefinition } from '../../core/module';

/**
 * Every notification event of every module, from the manifests (`events`): what `notify()`
 * accepts, what the preferences page lists and what the digest counts.
 *
 * The module list (modules/index.ts) imports this module's manifest, so it is imported here
 * when first needed, not at load: a static import would let whichever file loads first see the
 * list with this module's manifest still missing.
 */
let catalogue: Promise<Map<string, NotificationEventDefinition>> | null = null;

async function build(): Promise<Map<string, NotificationEventDefinition>> {
  const { MODULES } = (await import('../index')) as { MODULES: readonly ModuleManifest[] };
  const map = new Map<string, NotificationEventDefinition>();
  for (const m of MODULES) {
    for (const e of m.events ?? []) {
      if (map.has(e.code)) throw new Error(`notification event ${e.code} is declared twice`);
      map.set(e.code, e);
    }
  }
  return map;
}

/** All declared events, by code. */
export function notificationEvents(): Promise<ReadonlyMap<string, NotificationEventDefinition>> {
  catalogue ??= build().catch((err) => {
    catalogue = null;
    throw err;
  });
  return catalogue;
}

/** The declared event with this code, or undefined. */
export async function eventByCode(code: string): Promise<NotificationEventDefinition | undefined> {
  return (await notificationEvents()).get(code);
}
