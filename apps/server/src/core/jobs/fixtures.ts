import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { testConfig } from '../../../test/config';
import type { Clock } from '../clock';
import { FakeClock } from '../clock';
import type { Database } from '../db/client';
import { enqueueJob } from './queue';
import { JobRunner } from './runner';
import type { EnqueueJob, JobDefinition } from './types';

/** Factories for tests: jobs in the states the console shows, made by the runner itself. */

const silent = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

/** A runner over `database` with the given handlers, for tests (never started: drive it with runDue()). */
export function testRunner(
  database: Pick<Database, 'db' | 'kind'>,
  definitions: JobDefinition[],
  clock: Clock = new FakeClock(),
): JobRunner {
  return new JobRunner({ database, definitions, config: testConfig(), clock, log: silent });
}

/**
 * A dead job (a dead letter): queued as `input`, run once by a handler that throws `error`.
 * Names start `test.`; the runner claims only the job it was made for (its name is unique).
 */
export async function buildDeadJob(
  database: Pick<Database, 'db' | 'kind'>,
  input: Partial<EnqueueJob> & { error?: string } = {},
  clock: Clock = new FakeClock(),
): Promise<string> {
  const name = input.name ?? `test.deadLetter${Math.random().toString(36).slice(2, 8)}`;
  const { error: _error, ...queued } = input;
  const { id } = await enqueueJob(database.db, { ...queued, name, maxAttempts: 1 });
  const runs = await testRunner(
    database,
    [
      {
        name,
        async run() {
          throw new Error(input.error ?? 'the provider refused');
        },
      },
    ],
    clock,
  ).runDue();
  if (runs[0]?.id !== id || runs[0].state !== 'dead') throw new Error(`fixture: job ${id} did not die`);
  return id;
}
