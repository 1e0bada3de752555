import { type ApiError, createClient, type ServiceFacetsBody } from '@linli/api-client';

type UnauthenticatedHandler = (error: ApiError) => void;
let onUnauthenticated: UnauthenticatedHandler = () => {};

let onConsentRequired: UnauthenticatedHandler = () => {};

/** The one API client of the resident app (same origin, `/api/v1`). */
export const api = createClient({
  onUnauthenticated: (error) => onUnauthenticated(error),
  onConsentRequired: (error) => onConsentRequired(error),
});

/** main.ts wires this to the router: a resident must agree to the privacy notice in force first. */
export function setConsentRequiredHandler(handler: UnauthenticatedHandler) {
  onConsentRequired = handler;
}

/** main.ts wires this to the router: a request that needed a session got 401. */
export function setUnauthenticatedHandler(handler: UnauthenticatedHandler) {
  onUnauthenticated = handler;
}

let facets: Promise<ServiceFacetsBody> | null = null;
/**
 * The guide's browse lists (life events, departments), fetched once per visit: the router starts
 * it beside the session when /guide opens, the page reads the same answer.
 */
export function serviceFacets(): Promise<ServiceFacetsBody> {
  facets ??= api.serviceItems.facets().catch((e: unknown) => {
    facets = null;
    throw e;
  });
  return facets;
}
