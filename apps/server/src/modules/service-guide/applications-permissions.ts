import { APPLICATION_STEPS, type ApplicationAbility, type ApplicationStatus } from '@linli/contracts';
import type { Actor } from '../../core/context';
import { can, holds } from '../../core/permissions';
import { nextStatus } from './applications-workflow';

/** What the application rules look at. */
export interface ApplicationResource {
  /** Materialised path of the community that handles it. */
  orgPath: string;
  residentId: string;
  departmentId: string | null;
  forwardedAt: Date | null;
  status: ApplicationStatus;
}

/** Who is asking, beyond the actor: the department a department-staff account works for. */
export interface ApplicationActor {
  actor: Actor;
  departmentId: string | null;
}

const isSystem = (a: ApplicationActor) => a.actor.kind === 'system';
const owner = (a: ApplicationActor, r: ApplicationResource) =>
  isSystem(a) || (a.actor.kind === 'resident' && a.actor.accountId === r.residentId);
const communityStaff = (a: ApplicationActor, r: ApplicationResource) =>
  a.actor.kind !== 'resident' && can(a.actor, 'applications.handle', r.orgPath);
/** Department staff of the department the application was forwarded to. */
const department = (a: ApplicationActor, r: ApplicationResource) =>
  isSystem(a) ||
  (a.actor.kind === 'staff' &&
    holds(a.actor, 'applications.department') &&
    !!a.departmentId &&
    a.departmentId === r.departmentId &&
    r.forwardedAt !== null);
/** Once forwarded, the outcome is the department's to decide. */
const decides = (a: ApplicationActor, r: ApplicationResource) =>
  r.status === 'forwarded' ? department(a, r) : communityStaff(a, r);

/**
 * The permission table: action -> (who, application) => boolean. Whether the step is legal from
 * the current state is the workflow table's business (409), not this one's (403).
 */
export const applicationPolicy = {
  view: (a: ApplicationActor, r: ApplicationResource) =>
    owner(a, r) || communityStaff(a, r) || department(a, r),
  pre_review: communityStaff,
  request_more: communityStaff,
  add_materials: owner,
  accept: communityStaff,
  forward: communityStaff,
  complete: decides,
  refuse: decides,
  result_ready: communityStaff,
  finish: communityStaff,
  rate: owner,
  withdraw: owner,
  record_visit: communityStaff,
} as const satisfies Record<
  ApplicationAbility | 'view',
  (a: ApplicationActor, r: ApplicationResource) => boolean
>;

/** What the caller may do next: permitted steps that the workflow table allows from here. */
export function applicationAbilities(a: ApplicationActor, r: ApplicationResource): ApplicationAbility[] {
  const steps: ApplicationAbility[] = APPLICATION_STEPS.filter(
    (s) => nextStatus(r.status, s) !== null && applicationPolicy[s](a, r),
  );
  if (applicationPolicy.record_visit(a, r)) steps.push('record_visit');
  return steps;
}
