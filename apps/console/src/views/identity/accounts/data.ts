import { BUILT_IN_ROLES, type AccountQuery } from '@linli/contracts';
import type { LocationQuery } from 'vue-router';
import { compactQuery, queryList, queryString } from '@/utils/query';

export const KINDS = ['staff', 'resident'] as const;
export const STATUSES = ['active', 'disabled'] as const;
export const ROLE_CODES = BUILT_IN_ROLES.map((r) => r.code);
export const PAGE_SIZE = 20;
export const USERNAME_PATTERN = /^[a-z][a-z0-9_.-]{2,31}$/;
export const PHONE_PATTERN = /^1[3-9][0-9]{9}$/;

/** The list's state, all of it in the URL: filters plus the stack of cursors that led to this page. */
export interface AccountListState {
  q?: string;
  kind?: (typeof KINDS)[number];
  status?: (typeof STATUSES)[number];
  orgUnitId?: string;
  role?: string;
  cursors: string[];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return value && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

export function readState(query: LocationQuery): AccountListState {
  return {
    q: queryString(query, 'q'),
    kind: oneOf(queryString(query, 'kind'), KINDS),
    status: oneOf(queryString(query, 'status'), STATUSES),
    orgUnitId: queryString(query, 'orgUnitId'),
    role: oneOf(queryString(query, 'role'), ROLE_CODES),
    cursors: queryList(query, 'c'),
  };
}

export function writeState(state: AccountListState) {
  return compactQuery({
    q: state.q,
    kind: state.kind,
    status: state.status,
    orgUnitId: state.orgUnitId,
    role: state.role,
    c: state.cursors,
  });
}

/** The API query: the URL's unit, else the header's current unit. */
export function apiQuery(state: AccountListState, scopeUnitId: string | undefined): AccountQuery {
  return {
    q: state.q,
    kind: state.kind,
    status: state.status,
    role: state.role,
    orgUnitId: state.orgUnitId ?? scopeUnitId,
    cursor: state.cursors[state.cursors.length - 1],
    limit: PAGE_SIZE,
  };
}
