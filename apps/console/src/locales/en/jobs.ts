import type zhCN from '../zh-CN/jobs';

const jobs: typeof zhCN = {
  menu: 'Background jobs',
  summary: 'Scheduled jobs, SMS and exports as they run; failed jobs (dead letters) can be retried',
  title: 'Background jobs',
  subtitle:
    'Scheduled jobs, reminders, SMS and exports that run in the background; a job that fails more often than it may retry becomes a dead letter, which can be retried here',
  name: 'Job',
  namePlaceholder: 'Job name, e.g. cases.slaSweep',
  state: 'State',
  attempts: 'Attempts',
  attemptsValue: '{n} / {max}',
  nextRun: 'Next run',
  asap: 'As soon as possible',
  lastError: 'Last error',
  progress: 'Progress',
  progressValue: '{done} / {total}',
  updatedAt: 'Updated',
  createdAt: 'Created',
  startedAt: 'Started',
  finishedAt: 'Finished',
  slot: 'Scheduled for',
  idempotencyKey: 'Idempotency key',
  lockedBy: 'Running in',
  lockedUntil: 'Lease until',
  payload: 'Payload',
  result: 'Result',
  scope: 'Scope',
  deploymentWide: 'Whole deployment',
  district: 'This district',
  detailTitle: 'Job details',
  retry: 'Retry',
  retryConfirm:
    'The job "{name}" failed {n} times. Retry it once the cause is fixed: it gets its full number of attempts again.',
  retried: 'Queued again',
  autoRefresh: 'Refreshes every 5 seconds',
  deadHint: 'Dead letter: it failed as often as it may and will not be retried by itself',
  states: {
    all: 'All',
    queued: 'Queued',
    running: 'Running',
    done: 'Done',
    failed: 'Waiting to retry',
    dead: 'Dead letter',
    cancelled: 'Cancelled',
  },
  names: {
    cases_slaSweep: 'Case SLA sweep (yellow and red cards)',
    core_pruneJobs: 'Prune old finished jobs',
  },
};

export default jobs;
