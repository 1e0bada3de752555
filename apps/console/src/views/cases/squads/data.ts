import { ApiError } from '@linli/api-client';
import { SQUAD_DUTIES, type SquadDuty } from '@linli/contracts';
import { i18n } from '@/locales';

export const DUTIES: readonly SquadDuty[] = SQUAD_DUTIES;

export const dutyTone = (d: SquadDuty) =>
  d === 'both' ? 'success' : d === 'enforcement_officer' ? 'primary' : 'warning';

/**
 * Field errors of a set-up form, keyed by the field's path without `body/` (`accountId`,
 * `sla/handle/hours`), in words: the field codes the cases module sends (`duplicate`, `area`…)
 * and the schema keywords (`minimum`…), with the field's label from `label(path)`.
 */
export function fieldErrorsOf(error: unknown, label: (path: string) => string): Record<string, string> {
  const { t, te } = i18n.global;
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const e of error.problem.errors ?? []) {
    const path = e.field.replace(/^(body|params|querystring)\//, '');
    const field = label(path);
    const key =
      e.code && te(`cases.fieldErrors.${e.code}`)
        ? `cases.fieldErrors.${e.code}`
        : 'cases.fieldErrors.invalid';
    if (!out[path]) out[path] = t(key, { field });
  }
  return out;
}

/** The label of a set-up field by the last segment of its path. */
export function adminFieldLabel(path: string): string {
  const { t, te } = i18n.global;
  const name = path.split('/').pop() ?? path;
  return te(`cases.adminFields.${name}`) ? t(`cases.adminFields.${name}`) : name;
}
