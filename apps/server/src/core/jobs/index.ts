/**
 * The durable job runner (README.md beside this file). Modules declare handlers and schedules in
 * their manifest's `jobs` and queue work with `enqueueJob(tx, …)` inside their own transaction.
 */
export { cancelJob, DEFAULT_MAX_ATTEMPTS, enqueueJob, enqueueJobs } from './queue';
export { JobRunner, type JobRun, type JobRunnerOptions, jobStats, pruneJobsDefinition } from './runner';
export { jobs, type JobRow } from './schema';
export { JOB_STATES, type EnqueueJob, type JobContext, type JobDefinition, type JobState } from './types';
