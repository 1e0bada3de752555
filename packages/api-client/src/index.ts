import type {
  CaseExportQuery,
  CaseStats,
  CaseStatsQuery,
  BoundaryList,
  BoundaryQuery,
  MapSettings,
  PlaceAt,
} from '@linli/contracts';
import type {
  Application,
  ApplicationCounts,
  ApplicationCountsQuery,
  ApplicationFilter,
  ApplicationMineQuery,
  ApplicationPage,
  ApplicationStats,
  ApplicationStatsQuery,
  ApplicationWorkbenchQuery,
  Message,
  MessageCount,
  MessagePage,
  MessageQuery,
  MessagesReadAll,
  MessagesReadAllResult,
  NotificationPreferences,
  NotificationPreferencesUpdate,
  WechatBinding,
  RateBody,
  RefuseBody,
  RequestMoreBody,
  ResultReadyBody,
  StepNoteBody,
  VisitCreate,
  CalendarYear,
} from '@linli/contracts';
import type {
  Account,
  AccountQuery,
  AccountSummary,
  AuditCatalogue,
  AuditEntry,
  AuditQuery,
  Job,
  JobPage,
  JobQuery,
  Workbench,
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
  ServiceItemDetail,
  ServiceItemList,
  ServiceItemQuery,
  Session,
  SessionState,
  StaffCreate,
} from '@linli/contracts';

import type {
  Checklist,
  OfferingAdmin,
  OfferingUpsert,
  OfficeHourAttendee,
  OfficeHourBooking,
  OfficeHourCreate,
  OfficeHourMyBooking,
  OfficeHourQuery,
  OfficeHourSession,
  OfficeHourUpdate,
  ServiceItemAdmin,
  ServiceItemCreate,
  ServiceItemDraft,
  ServiceSynonym,
} from '@linli/contracts';

export * from './admission';
import type {
  Boundary,
  BoundaryUpload,
  Case,
  CaseCategory,
  CaseCategoryList,
  CaseCategoryQuery,
  CaseCategoryUpdate,
  CaseDispatchBody,
  CaseExtensionBody,
  CaseMineQuery,
  CaseNearbyList,
  CaseNearbyQuery,
  CaseNoteBody,
  CasePage,
  CasePublicPage,
  CasePublicQuery,
  CaseQuery,
  CaseRateBody,
  CaseReasonBody,
  CaseReceipt,
  CaseSuperviseBody,
  RoutingRuleList,
  RoutingRuleUpsert,
  SlaCardReport,
  SquadList,
} from '@linli/contracts';
import type {
  PatrolDetail,
  PatrolQuery,
  PatrolSession,
  Squad,
  SquadCreate,
  SquadMemberAdd,
  SquadMemberUpdate,
} from '@linli/contracts';

export * from './problem';
import type {
  ClosurePreview,
  MyPrivacy,
  PrivacyNotice,
  PrivacyNoticeCreate,
  RecoveryCodes,
  RecoveryCodeStatus,
  TotpEnabled,
} from '@linli/contracts';
import type {
  CatalogueItemEditor,
  CatalogueItemQuery,
  CatalogueItemRow,
  CatalogueVersion,
  CatalogueVersionSummary,
} from '@linli/contracts';
import { ApiError, type ProblemBody } from './problem';

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

/** `GET /service-items/facets`: what the guide can be browsed by, with item counts. */
export interface ServiceFacetsBody {
  departments: { name: string; count: number }[];
  lifeEvents: { name: string; count: number }[];
  modes: { mode: 'direct' | 'proxy'; count: number }[];
}

export interface ClientOptions {
  /** Origin + prefix of the API; defaults to same-origin `/api/v1`. */
  baseUrl?: string;
  /** Called when a request that needed a session got 401: the app sends the user to sign in. */
  onUnauthenticated?: (error: ApiError) => void;
  /** Called when a signed-in resident must first agree to the privacy notice (403 `consent-required`). */
  onConsentRequired?: (error: ApiError) => void;
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
    // FormData (uploads) sets its own multipart content type with the boundary.
    const isForm = typeof FormData !== 'undefined' && init.body instanceof FormData;
    if (init.body !== undefined && !isForm) headers['content-type'] = 'application/json';
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
        body:
          init.body === undefined ? undefined : isForm ? (init.body as FormData) : JSON.stringify(init.body),
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
      if (res.status === 403 && problem.code === 'consent-required') options.onConsentRequired?.(error);
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
      get: async (): Promise<Me | null> => (await get<SessionState>('/session')).me,
      update: (body: { displayName?: string; homeOrgUnitId?: string | null }) => patch<Me>('/me', body),
      changePassword: (currentPassword: string, newPassword: string) =>
        post<void>('/me/password', { currentPassword, newPassword }),
      sessions: () => get<{ items: Session[] }>('/me/sessions'),
      revokeSession: (id: string) => post<void>(`/me/sessions/${id}/revoke`),
      totpEnrol: () => post<{ secret: string; otpauthUrl: string }>('/me/totp/enrol'),
      /** Turns TOTP on; the answer carries the ten recovery codes, shown once. */
      totpEnable: (code: string) => post<TotpEnabled>('/me/totp/enable', { code }),
      recoveryCodes: () => get<RecoveryCodeStatus>('/me/recovery-codes'),
      regenerateRecoveryCodes: (password: string) => post<RecoveryCodes>('/me/recovery-codes', { password }),
      // ---- 个人信息保护: the notice, consent, download of one's data, closing the account ----
      privacy: () => get<MyPrivacy>('/me/privacy'),
      consent: (version: number) => post<MyPrivacy>('/me/privacy/consent', { version }),
      /** The download URL of the resident's data (.zip); the session cookie goes along. */
      dataExportUrl: () => `${base}/me/data-export`,
      closurePreview: () => get<ClosurePreview>('/me/closure'),
      sendClosureCode: () =>
        post<{ expiresInSeconds: number; resendAfterSeconds: number }>('/me/closure/code'),
      close: (code: string) => post<void>('/me/closure', { code }),
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
    calendar: {
      /** One year of public holidays and make-up working days (Beijing dates). */
      year: (year: number) => get<CalendarYear>('/calendar', { year }),
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
    // Service guide (办事指南): public, no sign-in needed.
    serviceItems: {
      search: (q: ServiceItemQuery = {}) => get<ServiceItemList>('/service-items', q as Query),
      facets: () => get<ServiceFacetsBody>('/service-items/facets'),
      get: (id: string, q: { orgUnitId?: string } = {}) =>
        get<ServiceItemDetail>(`/service-items/${encodeURIComponent(id)}`, q as Query),
    },
    privacyNotices: {
      /** The notice in force (public). */
      current: () => get<PrivacyNotice>('/privacy-notice'),
      list: () => get<{ items: PrivacyNotice[] }>('/privacy-notices'),
      publish: (body: PrivacyNoticeCreate) => post<PrivacyNotice>('/privacy-notices', body),
    },
    audit: {
      list: (q: AuditQuery = {}) => get<PageOf<AuditEntry>>('/audit', q as Query),
      get: (id: string) => get<AuditEntry>(`/audit/${id}`),
      /** The words for every audit action, entity type and field (from the modules' manifests). */
      catalogue: () => get<AuditCatalogue>('/audit/catalogue'),
    },
    // ---- Catalogue editor (catalogue.manage): drafts, publishing, history, synonyms, .xlsx ----
    catalogue: {
      create: (body: ServiceItemCreate) => post<ServiceItemAdmin>('/service-items', body),
      saveDraft: (id: string, body: ServiceItemDraft) =>
        request<ServiceItemAdmin>('PUT', `/service-items/${id}/draft`, { body }),
      publish: (id: string) => post<ServiceItemAdmin>(`/service-items/${id}/publish`),
      retire: (id: string) => post<ServiceItemAdmin>(`/service-items/${id}/retire`),
      /** The editor's list: every status, drafts too, by code. */
      list: (q: CatalogueItemQuery = {}) => get<PageOf<CatalogueItemRow>>('/service-items/admin', q as Query),
      /** What the editor opens: the draft when there is one, else the live guide. */
      editor: (id: string) => get<CatalogueItemEditor>(`/service-items/${id}/draft`),
      versions: (id: string) => get<{ items: CatalogueVersionSummary[] }>(`/service-items/${id}/versions`),
      version: (id: string, version: number) =>
        get<CatalogueVersion>(`/service-items/${id}/versions/${version}`),
      /** The URL of the .xlsx export, for a download link (the session cookie goes along). */
      exportUrl: () => `${base}/service-items/export.xlsx`,
      /**
       * Uploads a catalogue .xlsx. Resolves to `{ created, updated }`; a 422 ApiError carries
       * `problem.errors: [{ row, field, message }]` listing every bad row.
       */
      importXlsx: async (file: Blob, opts: { publish?: boolean } = {}) => {
        const form = new FormData();
        form.append('file', file, 'catalogue.xlsx');
        const headers: Record<string, string> = { accept: 'application/json' };
        const csrf = readCookie('linli_csrf');
        if (csrf) headers['x-csrf-token'] = csrf;
        const res = await doFetch(`${base}/service-items/import${toQuery({ publish: opts.publish })}`, {
          method: 'POST',
          headers,
          credentials: 'same-origin',
          body: form,
        });
        const data = (await res.json().catch(() => undefined)) as unknown;
        if (!res.ok) {
          const problem: ProblemBody =
            data && typeof data === 'object' && 'code' in data
              ? (data as ProblemBody)
              : { type: 'about:blank', title: res.statusText, status: res.status, code: 'internal' };
          const error = new ApiError(res.status, problem);
          if (res.status === 401) options.onUnauthenticated?.(error);
          throw error;
        }
        return data as { created: number; updated: number };
      },
      synonyms: () => get<{ items: ServiceSynonym[] }>('/service-synonyms'),
      addSynonym: (terms: string[]) => post<ServiceSynonym>('/service-synonyms', { terms }),
      updateSynonym: (id: string, terms: string[]) =>
        request<ServiceSynonym>('PUT', `/service-synonyms/${id}`, { body: { terms } }),
      removeSynonym: (id: string) => request<void>('DELETE', `/service-synonyms/${id}`),
    },
    // ---- Community offerings (offerings.manage) ----
    offerings: {
      list: (orgUnitId: string) => get<{ items: OfferingAdmin[] }>(`/org-units/${orgUnitId}/offerings`),
      put: (orgUnitId: string, itemId: string, body: OfferingUpsert) =>
        request<OfferingAdmin>('PUT', `/org-units/${orgUnitId}/offerings/${itemId}`, { body }),
      remove: (orgUnitId: string, itemId: string) =>
        request<OfferingAdmin>('DELETE', `/org-units/${orgUnitId}/offerings/${itemId}`),
    },
    // ---- Office hours (区级部门下沉): public list, resident booking, staff management ----
    officeHours: {
      list: (q: OfficeHourQuery = {}) => get<{ items: OfficeHourSession[] }>('/office-hours', q as Query),
      get: (id: string) => get<OfficeHourSession>(`/office-hours/${id}`),
      create: (body: OfficeHourCreate) => post<OfficeHourSession>('/office-hours', body),
      update: (id: string, body: OfficeHourUpdate) => patch<OfficeHourSession>(`/office-hours/${id}`, body),
      cancelSession: (id: string) => post<OfficeHourSession>(`/office-hours/${id}/cancel`),
      attendees: (id: string) => get<{ items: OfficeHourAttendee[] }>(`/office-hours/${id}/bookings`),
      book: (id: string) => post<OfficeHourBooking>(`/office-hours/${id}/bookings`),
      cancel: (id: string, bookingId: string) =>
        post<OfficeHourBooking>(`/office-hours/${id}/bookings/${bookingId}/cancel`),
      checkIn: (id: string, bookingId: string) =>
        post<OfficeHourBooking>(`/office-hours/${id}/bookings/${bookingId}/check-in`),
      mine: () => get<{ items: OfficeHourMyBooking[] }>('/office-hours/mine'),
    },
    // ---- A resident's material checklists, synced from the device ----
    checklists: {
      get: (itemId: string) => get<Checklist>(`/me/checklists/${itemId}`),
      put: (itemId: string, checked: string[]) =>
        request<Checklist>('PUT', `/me/checklists/${itemId}`, { body: { checked } }),
    },
    // ---- Applications (办件): resident submissions, the staff workbench, workflow steps ----
    applications: {
      /** multipart: itemId, orgUnitId, note?, appointmentAt? (direct items), then per file `materialName` + `files`. */
      submit: (form: FormData, idempotencyKey?: string) =>
        request<Application>('POST', '/applications', {
          body: form,
          headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
        }),
      mine: (q: ApplicationMineQuery = {}) => get<ApplicationPage>('/applications/mine', q as Query),
      list: (q: ApplicationWorkbenchQuery = {}) => get<ApplicationPage>('/applications', q as Query),
      /** Workbench queue sizes per status, same scope and filters as `list`. */
      counts: (q: ApplicationCountsQuery = {}) => get<ApplicationCounts>('/applications/counts', q as Query),
      /** 办件统计 in the caller's scope. */
      stats: (q: ApplicationStatsQuery = {}) => get<ApplicationStats>('/applications/stats', q as Query),
      /** The URL of the workbench's .xlsx export with these filters (a download link; cookies carry the session). */
      exportUrl: (q: ApplicationFilter = {}) => `${base}/applications/export${toQuery(q as Query)}`,
      get: (id: string) => get<Application>(`/applications/${encodeURIComponent(id)}`),
      /** The authorised download URL of a material (use as <img src> / link; cookies carry the session). */
      fileUrl: (id: string, fileId: string) => `${base}/applications/${id}/files/${fileId}`,
      preReview: (id: string, body: StepNoteBody = {}) =>
        post<Application>(`/applications/${id}/pre-review`, body),
      requestMore: (id: string, body: RequestMoreBody) =>
        post<Application>(`/applications/${id}/request-more`, body),
      /** multipart: per file `materialName` + `files`. */
      addMaterials: (id: string, form: FormData) =>
        request<Application>('POST', `/applications/${id}/add-materials`, { body: form }),
      accept: (id: string, body: StepNoteBody = {}) => post<Application>(`/applications/${id}/accept`, body),
      forward: (id: string, body: StepNoteBody = {}) =>
        post<Application>(`/applications/${id}/forward`, body),
      complete: (id: string, body: StepNoteBody = {}) =>
        post<Application>(`/applications/${id}/complete`, body),
      refuse: (id: string, body: RefuseBody) => post<Application>(`/applications/${id}/refuse`, body),
      resultReady: (id: string, body: ResultReadyBody) =>
        post<Application>(`/applications/${id}/result-ready`, body),
      finish: (id: string, body: StepNoteBody = {}) => post<Application>(`/applications/${id}/finish`, body),
      rate: (id: string, body: RateBody) => post<Application>(`/applications/${id}/rate`, body),
      withdraw: (id: string, body: StepNoteBody = {}) =>
        post<Application>(`/applications/${id}/withdraw`, body),
      recordVisit: (id: string, body: VisitCreate = {}) =>
        post<Application>(`/applications/${id}/visits`, body),
    },
    // ---- 城社共治 cases: reports, "me too", 我的诉求, the board, the dispatch board, workflow steps ----
    cases: {
      /** multipart: categoryCode, description, lat + lng and/or address, hideName, then up to 9 `photos`. */
      report: (form: FormData, idempotencyKey?: string) =>
        request<CaseReceipt>('POST', '/cases', {
          body: form,
          headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
        }),
      nearby: (q: CaseNearbyQuery) => get<CaseNearbyList>('/cases/nearby', q as unknown as Query),
      follow: (id: string) => post<Case>(`/cases/${id}/follow`),
      mine: (q: CaseMineQuery = {}) => get<CasePage>('/cases/mine', q as Query),
      board: (q: CasePublicQuery = {}) => get<CasePublicPage>('/cases/public', q as Query),
      list: (q: CaseQuery = {}) => get<CasePage>('/cases', q as Query),
      get: (id: string) => get<Case>(`/cases/${encodeURIComponent(id)}`),
      /** The authorised URL of a photo (use as <img src>; cookies carry the session). */
      photoUrl: (id: string, photoId: string) => `${base}/cases/${id}/photos/${photoId}`,
      register: (id: string, body: CaseNoteBody = {}) => post<Case>(`/cases/${id}/register`, body),
      notRegister: (id: string, body: CaseReasonBody) => post<Case>(`/cases/${id}/not-register`, body),
      dispatch: (id: string, body: CaseDispatchBody = {}) => post<Case>(`/cases/${id}/dispatch`, body),
      sendBack: (id: string, body: CaseReasonBody) => post<Case>(`/cases/${id}/send-back`, body),
      accept: (id: string, body: CaseNoteBody = {}) => post<Case>(`/cases/${id}/accept`, body),
      start: (id: string, body: CaseNoteBody = {}) => post<Case>(`/cases/${id}/start`, body),
      /** multipart: note, then 1–9 `photos` of the result. */
      handle: (id: string, form: FormData) => request<Case>('POST', `/cases/${id}/handle`, { body: form }),
      verifyPass: (id: string, body: CaseNoteBody = {}) => post<Case>(`/cases/${id}/verify-pass`, body),
      verifyFail: (id: string, body: CaseReasonBody) => post<Case>(`/cases/${id}/verify-fail`, body),
      rate: (id: string, body: CaseRateBody) => post<Case>(`/cases/${id}/rate`, body),
      reopen: (id: string, body: CaseNoteBody = {}) => post<Case>(`/cases/${id}/reopen`, body),
      requestExtension: (id: string, body: CaseExtensionBody) =>
        post<Case>(`/cases/${id}/request-extension`, body),
      approveExtension: (id: string, body: CaseNoteBody = {}) =>
        post<Case>(`/cases/${id}/approve-extension`, body),
      denyExtension: (id: string, body: CaseNoteBody = {}) => post<Case>(`/cases/${id}/deny-extension`, body),
      supervise: (id: string, body: CaseSuperviseBody) => post<Case>(`/cases/${id}/supervise`, body),
      slaCards: () => get<SlaCardReport>('/cases/sla-cards'),
      stats: (q: CaseStatsQuery = {}) => get<CaseStats>('/cases/stats', q as Query),
      /** 核查 queue: handled cases the caller did not handle. */
      verificationQueue: (q: CaseQuery = {}) => get<CasePage>('/cases/verification-queue', q as Query),
      /** The .xlsx export of the board (same filters), as a link. */
      exportUrl: (q: CaseExportQuery = {}) => `${base}/cases/export${toQuery(q as Query)}`,
      /** `includeDisabled: true` lists disabled categories too (cases.manage only; others get 403). */
      categories: (q: CaseCategoryQuery = {}) => get<CaseCategoryList>('/case-categories', q as Query),
      updateCategory: (code: string, body: CaseCategoryUpdate) =>
        patch<CaseCategory>(`/case-categories/${code}`, body),
      rules: () => get<RoutingRuleList>('/case-routing-rules'),
      putRule: (code: string, body: RoutingRuleUpsert) =>
        request<RoutingRuleList>('PUT', `/case-routing-rules/${code}`, { body }),
      squads: () => get<SquadList>('/squads'),
      createSquad: (body: SquadCreate) => post<Squad>('/squads', body),
      addSquadMember: (squadId: string, body: SquadMemberAdd) =>
        post<Squad>(`/squads/${squadId}/members`, body),
      updateSquadMember: (squadId: string, accountId: string, body: SquadMemberUpdate) =>
        patch<Squad>(`/squads/${squadId}/members/${accountId}`, body),
      removeSquadMember: (squadId: string, accountId: string) =>
        request<Squad>('DELETE', `/squads/${squadId}/members/${accountId}`),
      /** 巡查 records: my own and those of squads in my scope, newest first. */
      patrols: (q: PatrolQuery = {}) => get<{ items: PatrolSession[] }>('/patrols', q as Query),
      patrol: (id: string) => get<PatrolDetail>(`/patrols/${id}`),
      boundary: (orgUnitId: string) => get<Boundary>(`/org-units/${orgUnitId}/boundary`),
      putBoundary: (orgUnitId: string, body: BoundaryUpload) =>
        request<Boundary>('PUT', `/org-units/${orgUnitId}/boundary`, { body }),
    },
    // ---- Maps (public): reverse geocoding over the boundaries, and the tile layer when configured ----
    maps: {
      place: (lat: number, lng: number) => get<PlaceAt>('/maps/place', { lat, lng }),
      settings: () => get<MapSettings>('/maps/settings'),
      boundaries: (q: BoundaryQuery) => get<BoundaryList>('/maps/boundaries', q as Query),
    },
    // ---- The console's 工作台: every module's cards for the signed-in member of staff ----
    workbench: () => get<Workbench>('/workbench'),
    // ---- Background jobs (jobs.manage, district administrators): the runner's queue and dead letters ----
    jobs: {
      list: (q: JobQuery = {}) => get<JobPage>('/jobs', q as Query),
      get: (id: string) => get<Job>(`/jobs/${id}`),
      retry: (id: string) => post<Job>(`/jobs/${id}/retry`, {}),
    },
    // ---- In-app messages of the signed-in account ----
    messages: {
      list: (q: MessageQuery = {}) => get<MessagePage>('/messages', q as Query),
      /** The unread count and newest unread message (the console bell polls this). */
      count: () => get<MessageCount>('/messages/unread-count'),
      read: (id: string) => post<Message>(`/messages/${id}/read`, {}),
      readAll: (body: MessagesReadAll = {}) => post<MessagesReadAllResult>('/messages/read-all', body),
      preferences: () => get<NotificationPreferences>('/me/notification-preferences'),
      savePreferences: (body: NotificationPreferencesUpdate) =>
        request<NotificationPreferences>('PUT', '/me/notification-preferences', { body }),
      bindWechat: (code: string) => post<WechatBinding>('/me/wechat-binding', { code }),
      unbindWechat: () => request<WechatBinding>('DELETE', '/me/wechat-binding'),
    },
  };
}

export type LinliClient = ReturnType<typeof createClient>;
