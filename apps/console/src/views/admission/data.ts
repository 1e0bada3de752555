import { createAdmissionApi } from '@linli/api-client';
import type { AdmissionList, AdmissionRequestStatus, AdmissionTaskStatus } from '@linli/contracts';
import { api } from '@/api';

/** The console's 事项准入 calls (module `admission`), through the one API client. */
export const admission = createAdmissionApi(api.request);

type Tone = 'primary' | 'success' | 'warning' | 'danger' | 'info';

/** Element Plus tag colours of the three lists: negative items stand out. */
export function listTone(list: AdmissionList | 'none'): Tone {
  if (list === 'negative') return 'danger';
  if (list === 'assist') return 'primary';
  if (list === 'self') return 'success';
  return 'info';
}

export function requestTone(s: AdmissionRequestStatus): Tone {
  switch (s) {
    case 'refused':
    case 'rejected':
      return 'danger';
    case 'fast_track':
      return 'primary';
    case 'in_review':
      return 'warning';
    case 'approved':
      return 'success';
    default:
      return 'info';
  }
}

export function taskTone(s: AdmissionTaskStatus): Tone {
  switch (s) {
    case 'open':
      return 'warning';
    case 'acknowledged':
      return 'primary';
    case 'completed':
      return 'success';
    default:
      return 'info';
  }
}

/** Today in Beijing as `YYYY-MM-DD`. */
export function beijingToday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** `YYYY-MM` of Beijing today, shifted by `n` months. */
export function beijingMonth(n = 0, now = new Date()): string {
  const [y, m] = beijingToday(now).split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** A score 0–1 as a whole percentage. */
export const percent = (score: number) => Math.round(Math.max(0, Math.min(1, score)) * 100);
