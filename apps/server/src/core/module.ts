import type { Permission } from '@linli/contracts';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type { Config } from '../config';
import type { Clock } from './clock';
import type { Db } from './db/client';
import type { JobDefinition } from './jobs/types';
import type { PersonalDataSource } from './personal-data';

/**
 * A module's manifest: the one place that says what the module brings. `modules/index.ts` lists
 * the manifests; `app.ts` mounts their routes, `boot.ts` runs their seeds, the job runner runs
 * their jobs, the notification hub knows their events, "download my data" and closing an
 * account read their personal data. Core reads manifests and never imports a module.
 */
export interface ModuleManifest {
  /** The module's folder name under `modules/`. */
  readonly name: string;
  /** Modules this one calls (their services, their tables through them). Checked at start. */
  readonly dependsOn: readonly string[];
  /** Route plugins and the prefix each is mounted under. */
  readonly routes: readonly ModuleRoutes[];
  /** Every permission the module's routes name in `config.permission` (besides core's). */
  readonly permissions: readonly Permission[];
  /** State machines the module runs (names, for the docs and the audit trail). */
  readonly workflows?: readonly string[];
  /** Reference data (always loaded, idempotent) and demo data (LINLI_DEMO only). */
  readonly seeds?: { readonly reference?: readonly Seed[]; readonly demo?: readonly Seed[] };
  /** Scheduled jobs and job handlers (core/jobs). */
  readonly jobs?: readonly JobDefinition[];
  /** The notification events the module emits (templates per locale and channel). */
  readonly events?: readonly NotificationEventDefinition[];
  /** What the module holds about a resident (core/personal-data.ts). */
  readonly personalData?: PersonalDataSource;
}

export interface ModuleRoutes {
  readonly plugin: FastifyPluginAsync;
  readonly prefix: string;
}

/** What a seed gets. Seeds are idempotent: they run on every start. */
export interface SeedContext {
  readonly db: Db;
  readonly config: Config;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger | { info(msg: string): void };
}

/** An account a demo seed created, listed on the console at first start. */
export interface SeededAccount {
  login: string;
  role: string;
  where: string;
}

/** A seed; a demo seed that creates accounts returns them (listed at first start). */
// biome-ignore lint/suspicious/noConfusingVoidType: a seed returns nothing, or the accounts it created
export type Seed = (ctx: SeedContext) => Promise<void | readonly SeededAccount[]>;

/**
 * A notification event a module emits through the hub (`notify(recipients, event, data)`).
 * Owned and extended by the notification hub; the manifest only carries the definitions.
 */
export interface NotificationEventDefinition {
  /** `<module>.<event>`, e.g. `cases.step`. */
  readonly code: string;
  /** The variables every template of the event may use; a template naming another fails its test. */
  readonly variables: readonly string[];
  readonly [more: string]: unknown;
}
