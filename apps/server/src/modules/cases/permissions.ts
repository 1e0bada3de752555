import { CASE_STEPS, type CaseStatus, type CaseStep } from '@linli/contracts';
import type { Actor } from '../../core/context';
import { can, holds } from '../../core/permissions';
import { nextStatus } from './workflow';

/** What the case rules look at. */
export interface CaseResource {
  /** Materialised path of the case's org unit (grid or community). */
  orgPath: string;
  status: CaseStatus;
  reporterId: string | null;
  handlerKind: 'squad' | 'department' | 'person' | null;
  squadId: string | null;
  departmentId: string | null;
  handlerId: string | null;
  handledBy: string | null;
  /** The caller follows the case ("me too"). */
  following: boolean;
  /** On the caller's community board: past 立案 and in the caller's district. */
  onBoard: boolean;
}

/** Who is asking, beyond the actor: their department and the squads they are active members of. */
export interface CaseActor {
  actor: Actor;
  departmentId: string | null;
  squadIds: ReadonlySet<string>;
}

const isSystem = (a: CaseActor) => a.actor.kind === 'system';
const isStaff = (a: CaseActor) => a.actor.kind === 'staff' || isSystem(a);
const reporter = (a: CaseActor, r: CaseResource) =>
  isSystem(a) || (!!a.actor.accountId && a.actor.accountId === r.reporterId);
const staffCan = (permission: Parameters<typeof can>[1]) => (a: CaseActor, r: CaseResource) =>
  isStaff(a) && can(a.actor, permission, r.orgPath);

/** The case is with the caller: their squad, their department, or them in person. */
export function isHandler(a: CaseActor, r: CaseResource): boolean {
  if (isSystem(a)) return true;
  if (a.actor.kind !== 'staff' || !holds(a.actor, 'cases.handle')) return false;
  if (r.handlerKind === 'squad') return !!r.squadId && a.squadIds.has(r.squadId);
  if (r.handlerKind === 'department') return !!r.departmentId && a.departmentId === r.departmentId;
  if (r.handlerKind === 'person') return !!r.handlerId && a.actor.accountId === r.handlerId;
  return false;
}

/** The one who handled it (gave the 处置反馈) or holds it in person may not verify it. */
export function ownWork(a: CaseActor, r: CaseResource): boolean {
  const me = a.actor.accountId;
  return !!me && (me === r.handledBy || me === r.handlerId);
}

const verifies = (a: CaseActor, r: CaseResource) => staffCan('cases.verify')(a, r) && !ownWork(a, r);

/** The whole case: its reporter, its followers, cases.read over it, its handler. */
const views = (a: CaseActor, r: CaseResource) =>
  reporter(a, r) || r.following || staffCan('cases.read')(a, r) || isHandler(a, r);

/**
 * The permission table: action -> (who, case) => boolean. Whether the step is legal from the
 * current state is the workflow table's business (409), not this one's (403).
 */
export const casePolicy = {
  /** The whole case: description, address, photos, timeline. */
  view: views,
  /** That it exists (the board's public fields): 403 rather than 404 to a step the caller may not take. */
  see: (a: CaseActor, r: CaseResource) => r.onBoard || views(a, r),
  register: staffCan('cases.dispatch'),
  not_register: staffCan('cases.dispatch'),
  dispatch: staffCan('cases.dispatch'),
  send_back: isHandler,
  accept: isHandler,
  start: isHandler,
  handle: isHandler,
  verify_pass: verifies,
  verify_fail: verifies,
  rate: reporter,
  reopen: reporter,
  request_extension: isHandler,
  approve_extension: staffCan('cases.supervise'),
  deny_extension: staffCan('cases.supervise'),
  supervise: staffCan('cases.supervise'),
  /** "Me too": a resident, on a case of the board that is not theirs (their own needs no following). */
  follow: (a: CaseActor, r: CaseResource) =>
    a.actor.kind === 'resident' && a.actor.accountId !== r.reporterId && !r.following && r.onBoard,
} as const satisfies Record<CaseStep | 'view' | 'see' | 'follow', (a: CaseActor, r: CaseResource) => boolean>;

/** What the caller may do next: permitted steps the workflow table allows from here, and `follow`. */
export function caseAbilities(a: CaseActor, r: CaseResource): string[] {
  const steps: string[] = CASE_STEPS.filter((s) => nextStatus(r.status, s) !== null && casePolicy[s](a, r));
  if (casePolicy.follow(a, r)) steps.push('follow');
  return steps;
}
