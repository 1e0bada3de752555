import { ApiError, type DecodedProblem, decodeProblem } from '@linli/api-client';
import { i18n } from '@/locales';

/** Minutes until `lockedUntil` (or `retryAfter` seconds), at least 1. */
function minutesLeft(error: unknown): number {
  if (!(error instanceof ApiError)) return 1;
  const problem = error.problem as ApiError['problem'] & { lockedUntil?: string };
  if (problem.retryAfter) return Math.max(1, Math.ceil(problem.retryAfter / 60));
  if (problem.lockedUntil) {
    const ms = new Date(problem.lockedUntil).getTime() - Date.now();
    if (Number.isFinite(ms)) return Math.max(1, Math.ceil(ms / 60_000));
  }
  return 1;
}

/**
 * The console's one place that turns an API error into words: `errors.<code>`, field labels from
 * `fields.<name>` and messages from `validation.<keyword>`, in the current language.
 */
export function describeError(error: unknown): DecodedProblem {
  const { t, te } = i18n.global;
  const minutes = minutesLeft(error);
  return decodeProblem(error, (key, params) => (te(key) ? t(key, { minutes, ...(params ?? {}) }) : null));
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 403);
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof ApiError && error.status === status;
}
