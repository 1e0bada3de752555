import type { Permission } from '@linli/contracts';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type { Config } from '../config';
import type { AuditDeclarations } from './audit-catalogue';
import type { Clock } from './clock';
import type { Db } from './db/client';
import type { JobDefinition } from './jobs/types';
import type { MetricCollector } from './metrics';
import type { PersonalDataSource } from './personal-data';
import type { WorkbenchSource } from './workbench';

/**
 * A module's manifest: the one place that says what the module brings. `modules/index.ts` lists
 * the manifests; `app.ts` mounts their routes, `boot.ts` runs their seeds, the job runner runs
 * their jobs, the notification hub knows their events, the workbench shows their cards, "download my data" and closing an
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
  /**
   * Every audit action the module writes, its entity types and the field names in before/after
   * and notes, each with zh-CN and en labels (core/audit-catalogue.ts). Under test, writeAudit
   * refuses an action, entity type or changed field that no manifest declares.
   */
  readonly audit?: AuditDeclarations;
  /** Metric families the module reports on `/metrics` (read at scrape time; names `linli_<module>_…`). */
  readonly metrics?: (db: Db) => readonly MetricCollector[];
  /**
   * Cards on the console's 工作台 (`GET /api/v1/workbench`, core/workbench.ts): what the signed-in
   * person has to do now in this module, and their units' figures. Each source names the
   * permission it needs (a person without it gets no card) and scopes its counts with
   * `scopeFilter()`, in at most one statement.
   */
  readonly workbench?: readonly WorkbenchSource[];
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

/** The languages notifications are written in; zh-CN is the default. */
export type NotificationLocale = 'zh-CN' | 'en';
export const NOTIFICATION_LOCALES: readonly NotificationLocale[] = ['zh-CN', 'en'];

/** One text per locale. Templates name variables as `{name}`. */
export type PerLocale<T = string> = { readonly [L in NotificationLocale]: T };

/** How a person hears of an event by SMS: at once, in the morning digest, or not at all. */
export type SmsMode = 'immediate' | 'digest' | 'off';

/**
 * A notification event a module emits through the hub (`notify(tx, recipients, event, data)` in
 * the messages module). The manifest lists the module's events; the hub renders them. Every
 * template may name only the declared `variables` (`{name}`); a test renders every template of
 * every manifest with sample data, so a template naming anything else fails there, not in
 * production.
 */
export interface NotificationEventDefinition<V extends string = string> {
  /** `<module>.<event>`, e.g. `cases.step`. */
  readonly code: string;
  /** The variables the templates may use; `notify()` is typed to require each of them. */
  readonly variables: readonly V[];
  /** What the event is called on the preferences page. */
  readonly name: PerLocale;
  /** Who receives it: residents (resident app 消息) or staff (console inbox). */
  readonly audience: 'resident' | 'staff';
  /** The in-app message (resident 消息 / console inbox). Absent: no message (an SMS-only event). */
  readonly inApp?: {
    readonly title: PerLocale;
    readonly body: PerLocale;
    /** App-relative link to the record: `/console/...` for the console, else a resident app path. */
    readonly link?: string;
  };
  /**
   * The text message. Mainland SMS is sent from templates approved in advance with the
   * provider, under the approved signature (【邻里+】): `text` is what the approved zh-CN
   * template says (and what the development `log` sender writes); `aliyun` and `tencent` name
   * the approved templates and the parameters they take (each parameter a template over the
   * variables). A deployment overrides the template ids with `NOTIFY_TEMPLATE_IDS`.
   */
  readonly sms?: {
    readonly text: PerLocale;
    /** Alibaba Cloud SMS: `SMS_…` template code and its named parameters. */
    readonly aliyun: { readonly templateCode: string; readonly params: Readonly<Record<string, string>> };
    /** Tencent Cloud SMS: numeric template id and its parameters, in the template's order. */
    readonly tencent: { readonly templateId: string; readonly params: readonly string[] };
  };
  /**
   * WeChat subscription message (订阅消息): the subscribed template, the mini-program page it
   * opens, and the template's keywords (`thing1`, `phrase2`, `time3` …), each a template.
   */
  readonly wechat?: {
    readonly templateId: string;
    readonly page?: string;
    readonly data: Readonly<Record<string, string>>;
  };
  /** Channels a person has unless they choose otherwise (the in-app message is always written). */
  readonly defaults: { readonly sms: SmsMode; readonly wechat: boolean };
  /** A one-time code (sign-in, confirming 注销): sent at once by identity, never through `notify()`. */
  readonly oneTimeCode?: boolean;
}
