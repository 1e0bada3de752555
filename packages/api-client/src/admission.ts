import type {
  AdmissionCurrentLists,
  AdmissionDecideBody,
  AdmissionDraftSave,
  AdmissionListVersion,
  AdmissionListVersionSummary,
  AdmissionMatchResult,
  AdmissionPublish,
  AdmissionRequest,
  AdmissionRequestCreate,
  AdmissionRequestQuery,
  AdmissionRequestSummary,
  AdmissionTask,
  AdmissionTaskQuery,
  AdmissionVersionDiff,
  BurdenIndex,
  BurdenQuery,
  CertificateAnswer,
  OutsideReport,
  OutsideReportCreate,
  OutsideReportQuery,
} from '@linli/contracts';

type Query = Record<string, string | number | boolean | undefined | null>;
type Request = <T>(
  method: string,
  path: string,
  init?: { query?: Query; body?: unknown; quiet401?: boolean; headers?: Record<string, string> },
) => Promise<T>;

interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * 事项准入 calls (module `admission`). Build it from the app's client:
 * `const admission = createAdmissionApi(client.request)`.
 */
export function createAdmissionApi(request: Request, base = '/api/v1') {
  const get = <T>(path: string, query?: Query) => request<T>('GET', path, { query });
  const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body });
  const toQuery = (q: Query) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q))
      if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  return {
    /** Live match preview for the request form (any staff). */
    match: (text: string) => post<AdmissionMatchResult>('/admission/match', { text }),
    /** The lists in force: public (resident app). */
    lists: () => get<AdmissionCurrentLists>('/admission/lists'),
    versions: () => get<{ items: AdmissionListVersionSummary[] }>('/admission/list-versions'),
    version: (version: number) => get<AdmissionListVersion>(`/admission/list-versions/${version}`),
    compare: (from: number, to: number) =>
      get<AdmissionVersionDiff>('/admission/list-versions/compare', { from, to }),
    draft: () => get<AdmissionListVersion>('/admission/list-versions/draft'),
    createDraft: () => post<AdmissionListVersion>('/admission/list-versions/draft'),
    saveDraft: (body: AdmissionDraftSave) =>
      request<AdmissionListVersion>('PUT', '/admission/list-versions/draft', { body }),
    /** 422 with `errors[0].message` naming duplicate item codes. */
    publish: (body: AdmissionPublish) =>
      post<AdmissionListVersion>('/admission/list-versions/draft/publish', body),
    discardDraft: () => post<{ ok: true }>('/admission/list-versions/draft/discard'),
    /** "Can my community issue this certificate?" Public. */
    certificates: (q?: string) => get<CertificateAnswer>('/admission/certificates', { q }),

    fileRequest: (body: AdmissionRequestCreate) => post<AdmissionRequest>('/admission/requests', body),
    requests: (q: Partial<AdmissionRequestQuery> = {}) =>
      get<PageOf<AdmissionRequestSummary>>('/admission/requests', q as Query),
    request: (id: string) => get<AdmissionRequest>(`/admission/requests/${id}`),
    appeal: (id: string, justification: string) =>
      post<AdmissionRequest>(`/admission/requests/${id}/appeal`, { justification }),
    comment: (id: string, body: string, orgUnitId?: string) =>
      post<AdmissionRequest>(`/admission/requests/${id}/comments`, { body, orgUnitId }),
    /** 409 when the request is already decided. */
    decide: (id: string, body: AdmissionDecideBody) =>
      post<AdmissionRequest>(`/admission/requests/${id}/decide`, body),
    withdraw: (id: string, reason: string) =>
      post<AdmissionRequest>(`/admission/requests/${id}/withdraw`, { reason }),

    tasks: (q: Partial<AdmissionTaskQuery> = {}) =>
      get<PageOf<AdmissionTask>>('/admission/tasks', q as Query),
    task: (id: string) => get<AdmissionTask>(`/admission/tasks/${id}`),
    acknowledge: (id: string, note?: string) =>
      post<AdmissionTask>(`/admission/tasks/${id}/acknowledge`, { note }),
    progress: (id: string, percent: number, note: string) =>
      post<AdmissionTask>(`/admission/tasks/${id}/progress`, { percent, note }),
    complete: (id: string, evidence: string) =>
      post<AdmissionTask>(`/admission/tasks/${id}/complete`, { evidence }),

    fileOutsideReport: (body: OutsideReportCreate) => post<OutsideReport>('/admission/outside-reports', body),
    outsideReports: (q: Partial<OutsideReportQuery> = {}) =>
      get<PageOf<OutsideReport>>('/admission/outside-reports', q as Query),
    handleOutsideReport: (id: string, note: string) =>
      post<OutsideReport>(`/admission/outside-reports/${id}/handle`, { note }),

    burden: (q: BurdenQuery = {}) => get<BurdenIndex>('/admission/burden', q as Query),
    /** The monthly .xlsx report's URL, for a download link (the session cookie goes along). */
    burdenExportUrl: (month: string, orgUnitId?: string) =>
      `${base}/admission/burden/export.xlsx${toQuery({ month, orgUnitId })}`,
  };
}

export type AdmissionApi = ReturnType<typeof createAdmissionApi>;
