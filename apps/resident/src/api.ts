import { type ApiError, createClient } from '@linli/api-client';

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
