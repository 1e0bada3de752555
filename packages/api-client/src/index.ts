import type {
  Account,
  AccountQuery,
  AccountSummary,
  AuditEntry,
  AuditQuery,
  DepartmentRef,
  GrantCreate,
  LoginResult,
  Me,
  Notice,
  NoticeCreate,
  NoticeQuery,
  OrgUnit,
  OrgUnitCreate,
  OrgUnitDetail,
  OrgUnitMove,
  OrgUnitQuery,
  OrgUnitRename,
  OrgUnitRetire,
  Role,
  Session,
  StaffCreate,
} from '@linli/contracts';

export * from './problem';
import { ApiError, type ProblemBody } from './problem';

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ClientOptions {
  /** Origin + prefix of the API; defaults to same-origin `/api/v1`. */
  baseUrl?: string;
  /** Called when a request that needed a session got 401: the app sends the user to sign in. */
  onUnauthenticated?: (error: ApiError) => void;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  const m = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return m ? decodeURIComponent(m[1] ?? '') : null;
}

function toQuery(q?: Query): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The typed client both apps use. Every method maps to one route in packages/contracts. */
export function createClient(options: ClientOptions = {}) {
  const base = options.baseUrl ?? '/api/v1';
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));

  async function request<T>(
    method: string,
    path: string,
    init: { query?: Query; body?: unknown; quiet401?: boolean; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...(init.headers ?? {}) };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET') {
      const csrf = readCookie('linli_csrf');
      if (csrf) headers['x-csrf-token'] = csrf;
    }
    let res: Response;
    try {
      res = await doFetch(`${base}${path}${toQuery(init.query)}`, {
        method,
        headers,
        credentials: 'same-origin',
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch (cause) {
      throw new ApiError(
        0,
        { type: 'about:blank', title: 'Network error', status: 0, code: 'network' },
        cause,
      );
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    const data = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const problem: ProblemBody =
        data && typeof data === 'object' && 'code' in data
          ? (data as ProblemBody)
          : { type: 'about:blank', title: res.statusText, status: res.status, code: 'internal' };
      const error = new ApiError(res.status, problem);
      if (res.status === 401 && !init.quiet401) options.onUnauthenticated?.(error);
      throw error;
    }
    return data as T;
  }

  const get = <T>(path: string, query?: Query) => request<T>('GET', path, { query });
  const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body });
  const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });

  return {
    request,
    auth: {
      sendOtp: (phone: string) =>
        request<{ expiresInSeconds: number; resendAfterSeconds: number }>('POST', '/auth/otp', {
          body: { phone },
          quiet401: true,
        }),
      verifyOtp: (phone: string, code: string) =>
        request<LoginResult>('POST', '/auth/otp/verify', { body: { phone, code }, quiet401: true }),
      login: (username: string, password: string) =>
        request<LoginResult>('POST', '/auth/login', { body: { username, password }, quiet401: true }),
      totp: (code: string) => request<LoginResult>('POST', '/auth/totp', { body: { code }, quiet401: true }),
      logout: () => request<void>('POST', '/auth/logout', { quiet401: true }),
      logoutAll: () => post<void>('/auth/logout-all'),
    },
    me: {
      /** Resolves to null when nobody is signed in (never triggers the sign-in redirect). */
      get: async (): Promise<Me | null> => {
        try {
          return await request<Me>('GET', '/me', { quiet401: true });
        } catch (e) {
          if (e instanceof ApiError && e.status === 401) return null;
          throw e;
        }
      },
      update: (body: { displayName?: string; homeOrgUnitId?: string | null }) => patch<Me>('/me', body),
      changePassword: (currentPassword: string, newPassword: string) =>
        post<void>('/me/password', { currentPassword, newPassword }),
      sessions: () => get<{ items: Session[] }>('/me/sessions'),
      revokeSession: (id: string) => post<void>(`/me/sessions/${id}/revoke`),
      totpEnrol: () => post<{ secret: string; otpauthUrl: string }>('/me/totp/enrol'),
      totpEnable: (code: string) => post<Me>('/me/totp/enable', { code }),
      totpDisable: (password: string) => post<Me>('/me/totp/disable', { password }),
    },
    orgUnits: {
      list: (q: OrgUnitQuery = {}) => get<{ items: OrgUnit[] }>('/org-units', q as Query),
      get: (id: string) => get<OrgUnitDetail>(`/org-units/${id}`),
      create: (body: OrgUnitCreate) => post<OrgUnitDetail>('/org-units', body),
      rename: (id: string, body: OrgUnitRename) => patch<OrgUnitDetail>(`/org-units/${id}`, body),
      move: (id: string, body: OrgUnitMove) => post<OrgUnitDetail>(`/org-units/${id}/move`, body),
      retire: (id: string, body: OrgUnitRetire) => post<OrgUnitDetail>(`/org-units/${id}/retire`, body),
      reinstate: (id: string) => post<OrgUnitDetail>(`/org-units/${id}/reinstate`),
    },
    accounts: {
      list: (q: AccountQuery = {}) => get<PageOf<AccountSummary>>('/accounts', q as Query),
      get: (id: string) => get<Account>(`/accounts/${id}`),
      create: (body: StaffCreate) =>
        post<{ account: Account; temporaryPassword: string | null }>('/accounts', body),
      grant: (id: string, body: GrantCreate) => post<Account>(`/accounts/${id}/grants`, body),
      revoke: (id: string, grantId: string) => post<Account>(`/accounts/${id}/grants/${grantId}/revoke`),
      disable: (id: string) => post<Account>(`/accounts/${id}/disable`),
      enable: (id: string) => post<Account>(`/accounts/${id}/enable`),
      resetPassword: (id: string) => post<{ temporaryPassword: string }>(`/accounts/${id}/reset-password`),
    },
    departments: {
      list: () => get<{ items: DepartmentRef[] }>('/departments'),
    },
    roles: {
      list: () => get<{ items: Role[] }>('/roles'),
      update: (code: string, body: { requireTotp: boolean }) => patch<Role>(`/roles/${code}`, body),
    },
    notices: {
      list: (q: NoticeQuery = {}) => get<PageOf<Notice>>('/notices', q as Query),
      get: (id: string) => get<Notice>(`/notices/${encodeURIComponent(id)}`),
      create: (body: NoticeCreate) => post<Notice>('/notices', body),
      retract: (id: string) => post<Notice>(`/notices/${id}/retract`),
    },
    audit: {
      list: (q: AuditQuery = {}) => get<PageOf<AuditEntry>>('/audit', q as Query),
      get: (id: string) => get<AuditEntry>(`/audit/${id}`),
    },
  };
}

export type LinliClient = ReturnType<typeof createClient>;
