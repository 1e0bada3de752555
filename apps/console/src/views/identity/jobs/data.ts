import { JOB_STATES, type Job, type JobQuery, type JobState } from '@linli/contracts';
import type { LocationQuery } from 'vue-router';
import { i18n } from '@/locales';
import { compactQuery, queryList, queryString } from '@/utils/query';

export const PAGE_SIZE = 20;
/** How often the list and an open job refresh themselves (running work moves its progress bar). */
export const REFRESH_MS = 5000;
export { JOB_STATES };

export interface JobListState {
  state?: JobState;
  name?: string;
  cursors: string[];
}

const isState = (s: string | undefined): s is JobState =>
  !!s && (JOB_STATES as readonly string[]).includes(s);

export function readState(query: LocationQuery): JobListState {
  const state = queryString(query, 'state');
  return {
    state: isState(state) ? state : undefined,
    name: queryString(query, 'name'),
    cursors: queryList(query, 'c'),
  };
}

export function writeState(s: JobListState) {
  return compactQuery({ state: s.state, name: s.name, c: s.cursors });
}

export function apiQuery(s: JobListState): JobQuery {
  return { state: s.state, name: s.name, cursor: s.cursors[s.cursors.length - 1], limit: PAGE_SIZE };
}

/** The job's name in words when the console knows it (`jobs.names`, dots as `_`), else its code. */
export function jobLabel(name: string): string {
  const { t, te } = i18n.global;
  const key = `jobs.names.${name.replace(/\./g, '_')}`;
  return te(key) ? t(key) : name;
}

/** Element Plus tag colour per state: dead letters stand out. */
export const STATE_TAG: Record<JobState, 'primary' | 'success' | 'warning' | 'danger' | 'info'> = {
  queued: 'info',
  running: 'primary',
  done: 'success',
  failed: 'warning',
  dead: 'danger',
  cancelled: 'info',
};

/** 0–100 for the progress bar, or null when the job reported none. */
export function percent(job: Job): number | null {
  if (!job.progress) return null;
  if (job.progress.total === 0) return job.progress.done > 0 ? 100 : 0;
  return Math.min(100, Math.round((job.progress.done / job.progress.total) * 100));
}

/** Payload or result as indented JSON for the detail drawer. */
export function pretty(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return '—';
  return JSON.stringify(value, null, 2);
}
