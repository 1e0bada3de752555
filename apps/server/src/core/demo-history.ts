import { and, eq } from 'drizzle-orm';
import type { Faker } from '@faker-js/faker';
import { type AuditBatchEntry, writeAuditBatch } from './audit';
import type { Executor } from './db/client';
import type { SeedContext } from './module';
import { auditLog } from './schema';

/**
 * What every module's demo history (`modules/<m>/demo-history.ts`) shares: a seeded random source,
 * the fixed "now" the year of activity ends at, time-ordered ids made from it, and the marker that
 * makes each module's history a once-only event.
 *
 * Each module's generator is a `Seed`: it runs at every start with demo data on and
 * `LINLI_DEMO_HISTORY` (config.demoHistory), does nothing when its marker is there, and otherwise
 * simulates its year in memory and writes it in one transaction of bulk statements
 * (core/db/bulk.ts) with one audit row per state change (`writeAuditBatch`, `requestId`
 * `demo-history:<module>`), the marker last. Same seed and same anchor, same data.
 */

/** The seed every module's generator starts from (each adds its own offset). */
export const DEMO_HISTORY_SEED = 20_260_101;

/** How far back the history reaches. */
export const DEMO_HISTORY_DAYS = 365;

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/**
 * The instant the history ends at: the clock at the first start, on the hour, so every module
 * of one start works to the same "now" and nothing generated lies in the future.
 */
export function historyAnchor(ctx: Pick<SeedContext, 'clock'>): Date {
  const now = ctx.clock.now().getTime();
  return new Date(now - (now % HOUR_MS));
}

/** A seeded random source with the helpers the generators use, and a zh-CN faker on the same stream. */
export interface DemoRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** One of `items`, each as likely as its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** A Poisson count with mean `mean` (Knuth's method below 30, a rounded normal above). */
  poisson(mean: number): number;
  /** The faker instance (zh_CN names) drawing from the same seeded stream. */
  faker: Faker;
}

/**
 * A random source seeded with `seed`. @faker-js/faker (zh_CN) supplies the Mersenne Twister and
 * the names; its locale is loaded only here, when a history is generated.
 */
export async function demoRandom(seed: number): Promise<DemoRandom> {
  const { faker: shared } = await import('@faker-js/faker/locale/zh_CN');
  // A faker of our own on zh_CN's definitions (the shared instance's seed is everyone's). Its class
  // is taken from the instance: the package's main entry would load every locale (~0.2 s).
  const FakerClass = shared.constructor as typeof Faker;
  const faker = new FakerClass({ locale: shared.rawDefinitions });
  faker.seed(seed);
  const next = () => faker.number.float();
  const r: DemoRandom = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted(items) {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [v, w] of items) {
        x -= w;
        if (x < 0) return v;
      }
      return items[items.length - 1]![0];
    },
    poisson(mean) {
      if (mean <= 0) return 0;
      if (mean > 30) {
        const u = Math.max(next(), 1e-12);
        const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
        return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
      }
      const limit = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    faker,
  };
  return r;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 for an instant with its random bits from `random`: generated rows sort by time like
 * the rows services make (core/db/columns.ts `uuidv7`), and the same seed gives the same ids.
 */
export function uuidv7At(at: Date | number, random: DemoRandom): string {
  const ms = Math.floor(typeof at === 'number' ? at : at.getTime());
  const t = ms.toString(16).padStart(12, '0');
  const b = (n: number) => HEX[Math.floor(random.next() * n)]!;
  const seq = Math.floor(random.next() * 0x1000)
    .toString(16)
    .padStart(3, '0');
  const variant = HEX[0x80 | Math.floor(random.next() * 0x40)]!;
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${seq}-${variant}${b(256)}-${b(256)}${b(256)}${b(256)}${b(256)}${b(256)}${b(256)}`;
}

const MARKER_ENTITY = 'demo_history';

/** True when `module`'s history was generated on this database (its marker audit row exists). */
export async function demoHistoryDone(db: Executor, module: string): Promise<boolean> {
  const [row] = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.entityType, MARKER_ENTITY), eq(auditLog.entityId, module)))
    .limit(1);
  return !!row;
}

/**
 * Writes a module's audit rows (sorted by time) and, last, its marker: the audit row
 * `demo_history.generate` naming the module, the anchor, the seed and what was made.
 */
export async function finishDemoHistory(
  tx: Executor,
  module: string,
  districtId: string,
  entries: AuditBatchEntry[],
  summary: { anchor: Date; seed: number; counts: Record<string, number> },
): Promise<number> {
  const ordered = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  ordered.push({
    action: 'demo_history.generate',
    entityType: MARKER_ENTITY,
    entityId: module,
    orgUnitId: districtId,
    districtId,
    at: new Date(summary.anchor),
    actorId: null,
    note: { anchor: summary.anchor.toISOString(), seed: summary.seed, ...summary.counts },
  });
  return writeAuditBatch(tx, ordered, `demo-history:${module}`);
}

/** `db.execute` answers rows (node-postgres' result) or an array, by driver. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

/** Whether this start should generate histories: demo data on and `LINLI_DEMO_HISTORY` not off. */
export const historyWanted = (ctx: Pick<SeedContext, 'config'>) => ctx.config.demo && ctx.config.demoHistory;
