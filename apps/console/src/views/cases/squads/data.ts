import { ApiError } from '@linli/api-client';
import {
  BUILT_IN_ROLES,
  type Permission,
  type RoleCode,
  SQUAD_DUTIES,
  type SquadDuty,
} from '@linli/contracts';
import { i18n } from '@/locales';

export const DUTIES: readonly SquadDuty[] = SQUAD_DUTIES;

/**
 * The role a squad member needs to take the squad's cases (签收, 处置): `squad_member` (城管中队队员)
 * holds cases.handle and is grantable at a community, the squad's unit. Joining a squad grants none.
 */
export const SQUAD_MEMBER_ROLE = 'squad_member' satisfies RoleCode;

/** What granting it takes beyond roles.grant: the server refuses a role whose permissions the granter lacks. */
export const SQUAD_MEMBER_PERMISSIONS: readonly Permission[] =
  BUILT_IN_ROLES.find((r) => r.code === SQUAD_MEMBER_ROLE)?.permissions ?? [];

/** Roles that let a member take the squad's cases: every built-in role holding cases.handle. */
export const HANDLING_ROLES: ReadonlySet<string> = new Set(
  BUILT_IN_ROLES.filter((r) => (r.permissions as readonly string[]).includes('cases.handle')).map(
    (r) => r.code,
  ),
);

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
