import type { Permission } from '@linli/contracts';

/** One role grant as the permission check sees it: the role's permissions over a subtree. */
export interface ActorGrant {
  roleCode: string;
  orgUnitId: string;
  /** Materialised path of the unit (`/<district>/<town>/…/`): the grant covers every path it prefixes. */
  orgPath: string;
  permissions: ReadonlySet<Permission>;
}

/** Who is acting. Built once per request from the session (or by a job or script). */
export interface Actor {
  kind: 'anonymous' | 'resident' | 'staff' | 'system';
  accountId: string | null;
  districtId: string | null;
  displayName: string;
  grants: readonly ActorGrant[];
  sessionId: string | null;
}

/** Everything a service needs to know about the request besides its input. */
export interface RequestContext {
  actor: Actor;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** When staff act on a resident's behalf (代办). */
  actingForId?: string | null;
}

export const ANONYMOUS: Actor = {
  kind: 'anonymous',
  accountId: null,
  districtId: null,
  displayName: '',
  grants: [],
  sessionId: null,
};

/** The actor jobs, migrations and seeds run as. It holds no grants: system code is trusted by construction. */
export function systemContext(
  districtId: string | null = null,
  requestId: string | null = null,
): RequestContext {
  return {
    actor: {
      kind: 'system',
      accountId: null,
      districtId,
      displayName: 'system',
      grants: [],
      sessionId: null,
    },
    requestId,
    ip: null,
    userAgent: null,
  };
}
