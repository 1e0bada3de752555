import {
  ADMISSION_REQUEST_STEPS,
  ADMISSION_TASK_STEPS,
  type AdmissionRequestAbility,
  type AdmissionRequestStatus,
  type AdmissionTaskStatus,
  type AdmissionTaskStep,
} from '@linli/contracts';
import type { Actor } from '../../core/context';
import { can, holds } from '../../core/permissions';
import { nextRequestStatus, nextTaskStatus, REVIEW_STATES } from './workflow';

/** What the request rules look at. */
export interface RequestResource {
  /** Path of the district root unit the request belongs to. */
  orgPath: string;
  departmentId: string;
  status: AdmissionRequestStatus;
  route: 'refused_negative' | 'refused_inspection' | 'fast_track' | 'full_review';
  /** Paths of the target communities. */
  targetPaths: readonly string[];
}

/** Who is asking, beyond the actor: the department a department-staff account works for. */
export interface AdmissionActor {
  actor: Actor;
  departmentId: string | null;
}

const isSystem = (a: AdmissionActor) => a.actor.kind === 'system';
const staff = (a: AdmissionActor) => a.actor.kind === 'staff' || isSystem(a);
/** The admission office (准入审核): admission.review over the request's district. */
const office = (a: AdmissionActor, r: RequestResource) =>
  staff(a) && can(a.actor, 'admission.review', r.orgPath);
/** Staff of the department that filed it. */
const ownDepartment = (a: AdmissionActor, r: RequestResource) =>
  isSystem(a) ||
  (a.actor.kind === 'staff' &&
    holds(a.actor, 'admission.request') &&
    !!a.departmentId &&
    a.departmentId === r.departmentId);
/** A community secretary (admission.comment) of one of the target communities. */
const targetCommunity = (a: AdmissionActor, r: RequestResource) =>
  a.actor.kind === 'staff' && r.targetPaths.some((p) => can(a.actor, 'admission.comment', p));

/**
 * The permission table: action -> (who, request) => boolean. Whether the step is legal from the
 * current state is the workflow table's business (409), not this one's (403).
 */
export const requestPolicy = {
  view: (a: AdmissionActor, r: RequestResource) =>
    office(a, r) || ownDepartment(a, r) || targetCommunity(a, r),
  /** The filing department; a refusal for inspecting or rating communities cannot be appealed. */
  appeal: (a: AdmissionActor, r: RequestResource) => ownDepartment(a, r) && r.route !== 'refused_inspection',
  approve: office,
  approve_with_conditions: office,
  reject: office,
  /** 退出: the admission office, or the department giving the task up. */
  withdraw: (a: AdmissionActor, r: RequestResource) => office(a, r) || ownDepartment(a, r),
  comment: (a: AdmissionActor, r: RequestResource) =>
    targetCommunity(a, r) && REVIEW_STATES.includes(r.status),
} as const satisfies Record<
  AdmissionRequestAbility | 'view',
  (a: AdmissionActor, r: RequestResource) => boolean
>;

/** What the caller may do next: permitted steps the workflow table allows from here. */
export function requestAbilities(a: AdmissionActor, r: RequestResource): AdmissionRequestAbility[] {
  const out: AdmissionRequestAbility[] = ADMISSION_REQUEST_STEPS.filter(
    (s) => nextRequestStatus(r.status, s) !== null && requestPolicy[s](a, r),
  );
  if (requestPolicy.comment(a, r)) out.push('comment');
  return out;
}

/** What the task rules look at: the community's path and the task's state. */
export interface TaskResource {
  orgPath: string;
  status: AdmissionTaskStatus;
}

const inbox = (a: Actor, r: TaskResource) => a.kind !== 'resident' && can(a, 'admission.inbox', r.orgPath);

/** Community staff work their own community's inbox; withdrawal comes only from the request. */
export const taskPolicy = {
  view: inbox,
  acknowledge: inbox,
  progress: inbox,
  complete: inbox,
  withdraw: (a: Actor) => a.kind === 'system',
} as const satisfies Record<AdmissionTaskStep | 'view', (a: Actor, r: TaskResource) => boolean>;

export function taskAbilities(a: Actor, r: TaskResource): AdmissionTaskStep[] {
  return ADMISSION_TASK_STEPS.filter((s) => nextTaskStatus(r.status, s) !== null && taskPolicy[s](a, r));
}
