import type { Actor } from '../../core/context';
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
 * Authorises managing a notice. A published notice is public: a caller who may not manage it is
 * told so (403, core `authorize` with `public`); a retracted one outside the caller's scope does
 * not exist for them (the same 404 as a missing notice).
 */
export function authorizeNotice(
  actor: Actor,
  notice: NoticeResource & { status: 'published' | 'retracted' },
) {
  authorize(
    actor,
    'notices.manage',
    { orgPath: notice.orgPath, public: notice.status === 'published' },
    'notice',
  );
}
