import type { NotificationEventDefinition } from '../../core/module';
import { MODULES } from '..';

/**
 * Every notification event of every module, from the manifests (`events`): what `notify()`
 * accepts, what the preferences page lists and what the digest counts. Read on first use, not
 * at import: the module list imports this module.
 */
let catalogue: Map<string, NotificationEventDefinition> | null = null;

function build(): Map<string, NotificationEventDefinition> {
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
export function notificationEvents(): ReadonlyMap<string, NotificationEventDefinition> {
  catalogue ??= build();
  return catalogue;
}

/** The declared event with this code, or undefined. */
export function eventByCode(code: string): NotificationEventDefinition | undefined {
  return notificationEvents().get(code);
}
