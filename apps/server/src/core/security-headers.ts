import type { FastifyReply } from 'fastify';

/**
 * The security headers every response carries: helmet's defaults, written out once.
 *
 * We used @fastify/helmet before; it rebuilds the Content-Security-Policy string and walks its
 * middleware list on every request, which cost about a tenth of the CPU of a small API answer.
 * Nothing here varies by request (no nonces), so the whole set is computed at start-up and
 * copied onto each reply.
 */
export interface SecurityHeaderOptions {
  hsts: boolean;
  /** Origins pages may load images from besides their own: the map tile hosts, when configured. */
  imgOrigins?: readonly string[];
}

export function securityHeaders(opts: SecurityHeaderOptions): Record<string, string> {
  const img = ["'self'", 'data:', 'blob:', ...(opts.imgOrigins ?? [])].join(' ');
  const csp = [
    "default-src 'self'",
    "base-uri 'self'",
    "font-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'self'",
    `img-src ${img}`,
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'",
  ].join(';');
  return {
    'content-security-policy': csp,
    // Cross-origin isolation (COEP) breaks WeChat's in-app browser loading images: left off.
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    ...(opts.hsts ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
}

/**
 * What an API answer (JSON, files) needs, per the OWASP REST Security Cheat Sheet: no sniffing,
 * never framed, no document context at all (CSP `default-src 'none'`), not readable cross-origin,
 * no referrer, and HSTS. The page-only headers (COOP, Origin-Agent-Cluster, X-DNS-Prefetch-Control…)
 * mean nothing on a JSON answer and would only add bytes to every call.
 */
export function apiSecurityHeaders(opts: SecurityHeaderOptions): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    ...(opts.hsts ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
}

const API_PREFIXES = ['/api/v1/', '/open311/'];

/**
 * Writes the headers on a reply: the API set under /api/v1 and /open311, the page set on
 * everything else (the web apps, /healthz, the API docs, which override the CSP themselves).
 * Called from the request pipeline's one onRequest hook (core/http.ts): a hook of its own would
 * cost every request another trip through Fastify's hook runner.
 */
export function securityHeaderWriter(opts: SecurityHeaderOptions) {
  const page = Object.entries(securityHeaders(opts));
  const api = Object.entries(apiSecurityHeaders(opts));
  return (url: string, reply: FastifyReply) => {
    const set = API_PREFIXES.some((p) => url.startsWith(p)) ? api : page;
    for (const [name, value] of set) reply.header(name, value);
  };
}
