import type { Database } from '../db/client';
import type { MetricCollector } from '../metrics';
import { type JobRunner, jobStats } from './runner';

/**
 * The job runner on `/metrics`: the queue by state (read from the `jobs` table, so every
 * process reports the whole queue), the backlog of due jobs nobody has claimed yet, and the runs
 * this process finished by outcome. An alert on `linli_jobs{state="dead"}` rising, or on
 * `linli_jobs_due` staying high, is what an operator wants.
 */
export function jobCollectors(runner: JobRunner, db: Database['db']): MetricCollector[] {
  // Both queue families come from one read per scrape: the collectors are read at once, and
  // share the read in flight.
  let pending: ReturnType<typeof jobStats> | null = null;
  const stats = () => {
    if (!pending) pending = jobStats(db).finally(() => (pending = null));
    return pending;
  };
  return [
    {
      name: 'linli_jobs',
      help: 'Jobs in the queue by state (all processes; finished ones are kept 14 days)',
      type: 'gauge',
      collect: async () => {
        const { byState } = await stats();
        return Object.entries(byState).map(([state, value]) => ({ labels: { state }, value }));
      },
    },
    {
      name: 'linli_jobs_due',
      help: 'Jobs due to run (queued, or failed and past their retry time) that no runner has claimed yet',
      type: 'gauge',
      collect: async () => [{ value: (await stats()).due }],
    },
    {
      name: 'linli_job_runs_total',
      help: 'Job runs this process finished, by outcome (failed: to be retried; dead: out of attempts)',
      type: 'counter',
      collect: () =>
        Object.entries(runner.counts).map(([outcome, value]) => ({ labels: { outcome }, value })),
    },
  ];
}
