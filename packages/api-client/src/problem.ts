export interface FieldProblem {
  field: string;
  message: string;
  code?: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  errors?: FieldProblem[];
  retryAfter?: number;
  state?: string;
}

/** Any failed API call: the decoded problem+json body (or a synthetic one for network errors). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemBody,
    cause?: unknown,
  ) {
    super(problem.detail ?? problem.title, { cause });
    this.name = 'ApiError';
  }
  get code() {
    return this.problem.code;
  }
}

/** `translate(key)` returns the message for a key, or null when the key is unknown. */
export type Translate = (key: string, params?: Record<string, unknown>) => string | null;

export interface DecodedProblem {
  /** One sentence for a toast or an alert, in the user's language. */
  message: string;
  /** Translated message per field name (the last segment of `body/phone` → `phone`). */
  fields: Record<string, string>;
  code: string;
  retryAfter?: number;
}

/**
 * The one problem+json decoder both apps use. Messages come from `errors.<code>`; field errors
 * from `validation.<keyword>` with the field's label `fields.<name>`. Never shows server English
 * to a Chinese user: an unknown code falls back to `errors.unknown`.
 */
export function decodeProblem(error: unknown, translate: Translate): DecodedProblem {
  const problem: ProblemBody =
    error instanceof ApiError
      ? error.problem
      : { type: 'about:blank', title: 'Error', status: 0, code: 'unknown' };
  const params = { retryAfter: problem.retryAfter ?? 0, state: problem.state ?? '' };
  const stateLabel = problem.state ? translate(`states.${problem.state}`) : null;
  const message =
    translate(`errors.${problem.code}`, { ...params, state: stateLabel ?? problem.state ?? '' }) ??
    translate('errors.unknown') ??
    'Error';
  const fields: Record<string, string> = {};
  for (const e of problem.errors ?? []) {
    const name = e.field.split('/').filter(Boolean).pop() ?? e.field;
    const label = translate(`fields.${name}`) ?? name;
    const text =
      (e.code && translate(`validation.${e.code}`, { field: label })) ??
      translate('validation.invalid', { field: label });
    if (!fields[name]) fields[name] = text ?? `${label}: ${e.message}`;
  }
  return {
    message,
    fields,
    code: problem.code,
    ...(problem.retryAfter ? { retryAfter: problem.retryAfter } : {}),
  };
}
