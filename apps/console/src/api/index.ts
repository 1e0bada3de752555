import { type ApiError, createClient } from '@linli/api-client';

type Handler = (error: ApiError) => void;
let unauthenticated: Handler | null = null;

/** The one API client of the console. 401s go to the handler the router installs. */
export const api = createClient({
  onUnauthenticated: (error) => unauthenticated?.(error),
});

export function setUnauthenticatedHandler(handler: Handler) {
  unauthenticated = handler;
}

export type { ApiError } from '@linli/api-client';
