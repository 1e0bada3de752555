import type { Actor } from '../../core/context';
import { AppError } from '../../core/errors';
import { authorize, can } from '../../core/permissions';

/** What the notice rules look at: the unit's materialised path, and the notice's state. */
export interface NoticeResource {
  orgPath: string;
  status?: 'published' | 'retracted';
}

/**
 * The notices permission table: action -> (actor, resource) => boolean. Every rule rests on
 * `notices.manage` over the notice's unit (a grant on the unit or any ancestor covers it).
 */
export const noticePolicy = {
  /** Publish a notice for a unit. */
  publish: (actor: Actor, unit: NoticeResource) => can(actor, 'notices.manage', unit.orgPath),
  /** Retract a notice: only a published one. */
  retract: (actor: Actor, notice: NoticeResource) =>
    notice.status === 'published' && can(actor, 'notices.manage', notice.orgPath),
  /** See a retracted notice (residents never do). */
  viewRetracted: (actor: Actor, notice: NoticeResource) => can(actor, 'notices.manage', notice.orgPath),
} as const;

export type NoticeAction = keyof typeof noticePolicy;

/**
 * Authorises managing a notice. A published notice is public, so a signed-in caller who can see
 * it but may not manage it gets 403 (not 404); a retracted one outside the caller's scope is 404.
 */
export function authorizeNotice(
  actor: Actor,
  notice: NoticeResource & { status: 'published' | 'retracted' },
) {
  if (
    notice.status === 'published' &&
    actor.kind !== 'anonymous' &&
    !can(actor, 'notices.manage', notice.orgPath)
  ) {
    throw AppError.forbidden('You lack the permission notices.manage over this notice.');
  }
  authorize(actor, 'notices.manage', notice, 'notice');
}
