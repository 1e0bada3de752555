import { type Static, Type } from 'typebox';
import { Id, IsoTime, Nullable, Page, PageQuery } from './common';

/**
 * The job runner's states (server core/jobs): `queued` → `running` → `done`; a run that throws or
 * times out → `failed` (waiting for its retry) or, after its last attempt, `dead` (a dead letter,
 * until an administrator retries it); waiting jobs → `cancelled` by their key.
 */
export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'dead', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const JobStateSchema = Type.Enum<[...typeof JOB_STATES]>(JOB_STATES);

/** A background job as the console shows it (系统管理 → 后台任务). */
export const Job = Type.Object({
  id: Id,
  /** `<module>.<job>`, e.g. `cases.slaSweep`. */
  name: Type.String(),
  state: JobStateSchema,
  /** What it was queued with; phones and ID numbers masked. */
  payload: Type.Unknown(),
  /** When it is due (its next attempt, for a failed job); null: as soon as a worker is free. */
  runAt: Nullable(IsoTime),
  /** A scheduled job's run: the slot it stands for. */
  slot: Nullable(IsoTime),
  idempotencyKey: Nullable(Type.String()),
  attempts: Type.Integer({ minimum: 0 }),
  maxAttempts: Type.Integer({ minimum: 1 }),
  lastError: Nullable(Type.String()),
  /** Progress of long work (an export's rows), as the handler last reported it. */
  progress: Nullable(
    Type.Object({ done: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) }),
  ),
  /** The handler's answer, when it had one. */
  result: Type.Unknown(),
  /** The process running it and until when its lease holds. */
  lockedBy: Nullable(Type.String()),
  lockedUntil: Nullable(IsoTime),
  startedAt: Nullable(IsoTime),
  finishedAt: Nullable(IsoTime),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  /** True for a job of the whole deployment (a sweep), false for one about this district's data. */
  deploymentWide: Type.Boolean(),
  abilities: Type.Object({ retry: Type.Boolean() }),
});
export type Job = Static<typeof Job>;

export const JobQuery = Type.Object({
  ...PageQuery.properties,
  state: Type.Optional(JobStateSchema),
  /** Exact job name, e.g. `cases.slaSweep`. */
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9.-]+$' })),
});
export type JobQuery = Static<typeof JobQuery>;

export const JobPage = Type.Object({
  ...Page(Job).properties,
  /** Jobs per state, over the same filter by name (the console's tabs). */
  counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
});
export type JobPage = Static<typeof JobPage>;
