import { type ApiError, createClient } from '@linli/api-client';

type UnauthenticatedHandler = (error: ApiError) => void;
let onUnauthenticated: UnauthenticatedHandler = () => {};

/** The one API client of the resident app (same origin, `/api/v1`). */
export const api = createClient({ onUnauthenticated: (error) => onUnauthenticated(error) });

/** main.ts wires this to the router: a request that needed a session got 401. */
export function setUnauthenticatedHandler(handler: UnauthenticatedHandler) {
  onUnauthenticated = handler;
}
