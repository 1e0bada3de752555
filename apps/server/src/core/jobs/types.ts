import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config';
import type { Clock } from '../clock';
import type { Db } from '../db/client';

/**
 * A job a module declares in its manifest. Owned by the job runner (core/jobs); the manifest
 * only carries the definitions.
 */
export interface JobDefinition<P = unknown> {
  /** `<module>.<job>`, e.g. `cases.slaSweep`. */
  readonly name: string;
  /** Run on a schedule: every N ms, or a cron expression in Asia/Shanghai. Omit for queued work. */
  readonly schedule?: { readonly every: number } | { readonly cron: string };
  readonly run: (ctx: JobContext, payload: P) => Promise<unknown>;
}

export interface JobContext {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Config;
  readonly log: FastifyBaseLogger;
}
