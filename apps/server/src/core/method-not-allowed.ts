import type { FastifyInstance } from 'fastify';
import Router, { type HTTPMethod } from 'find-my-way';

/**
 * Which methods a path answers, for a 405 with `Allow` where a request names a path the API
 * has but a method it does not (RFC 9110 §15.5.6). Fastify answers both cases with its
 * not-found handler; this keeps a second router (find-my-way, the one Fastify itself uses)
 * with every route registered, so the not-found handler can tell the two apart.
 */
export function trackAllowedMethods(app: FastifyInstance): (method: string, url: string) => string[] {
  const router = Router({ ignoreTrailingSlash: false, ignoreDuplicateSlashes: false });
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return; // the web apps' static wildcards are not the API
    for (const m of [route.method].flat()) {
      methods.add(m);
      try {
        router.on(m as HTTPMethod, route.url, () => undefined);
      } catch {
        // a route find-my-way cannot parse the same way is simply not offered in Allow
      }
    }
  });
  return (method, url) => {
    const allowed: string[] = [];
    for (const m of methods) if (m !== method && router.find(m as HTTPMethod, url)) allowed.push(m);
    return allowed.sort();
  };
}
