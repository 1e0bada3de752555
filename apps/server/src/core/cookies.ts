import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyInstance } from 'fastify';

export interface CookieOptions {
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'lax' | 'strict' | 'none';
  maxAge?: number;
  expires?: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's cookies, parsed on first use. */
    readonly cookies: Record<string, string | undefined>;
  }
  interface FastifyReply {
    setCookie(name: string, value: string, options?: CookieOptions): FastifyReply;
    clearCookie(name: string, options?: CookieOptions): FastifyReply;
  }
}

const PARSED = Symbol('cookies');

/**
 * Cookies without a plugin hook: `req.cookies` parses the header the first time a handler asks
 * (most requests, public and static ones, never do), and `reply.setCookie` adds a Set-Cookie
 * header. @fastify/cookie did the same with an onRequest and an onSend hook on every request,
 * about a fifth of the throughput of a small answer.
 */
export function registerCookies(app: FastifyInstance) {
  app.decorateRequest('cookies', {
    getter(this: { headers: { cookie?: string }; [PARSED]?: Record<string, string | undefined> }) {
      this[PARSED] ??= this.headers.cookie ? parseCookie(this.headers.cookie) : {};
      return this[PARSED];
    },
  });
  app.decorateReply('setCookie', function (this, name: string, value: string, options: CookieOptions = {}) {
    // Fastify keeps several Set-Cookie headers as a list.
    return this.header('set-cookie', stringifySetCookie({ name, value, ...options }));
  });
  app.decorateReply('clearCookie', function (this, name: string, options: CookieOptions = {}) {
    return this.setCookie(name, '', { ...options, expires: new Date(0), maxAge: 0 });
  });
}
