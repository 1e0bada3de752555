import type { ErrorCode } from '@linli/contracts';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface FieldError {
  field: string;
  message: string;
  code?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The one error type services throw. The error handler turns it into problem+json. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    detail: string,
    readonly extra: { errors?: FieldError[]; retryAfter?: number; state?: string; [k: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }

  static validation(errors: FieldError[], detail = 'The request has invalid fields.') {
    return new AppError(400, 'validation', detail, { errors });
  }
  static badRequest(code: ErrorCode, detail: string, errors?: FieldError[]) {
    return new AppError(400, code, detail, errors ? { errors } : {});
  }
  static unauthenticated(detail = 'Sign in first.', code: ErrorCode = 'unauthenticated') {
    return new AppError(401, code, detail);
  }
  static forbidden(detail = 'You may not do this.', code: ErrorCode = 'forbidden') {
    return new AppError(403, code, detail);
  }
  static notFound(what = 'resource') {
    return new AppError(404, 'not-found', `No such ${what}.`);
  }
  static conflict(code: ErrorCode, detail: string, extra: AppError['extra'] = {}) {
    return new AppError(409, code, detail, extra);
  }
  static invalidTransition(state: string, step: string) {
    return new AppError(409, 'invalid-transition', `"${step}" is not allowed while the item is ${state}.`, {
      state,
    });
  }
  static unprocessable(code: ErrorCode, detail: string, errors?: FieldError[]) {
    return new AppError(422, code, detail, errors ? { errors } : {});
  }
  static rateLimited(retryAfter: number, code: ErrorCode = 'rate-limited', detail = 'Too many requests.') {
    return new AppError(429, code, detail, { retryAfter });
  }
}

export function problemBody(req: FastifyRequest, status: number, code: string, detail: string, extra = {}) {
  return {
    type: `https://linli.dev/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: req.id,
    code,
    ...extra,
  };
}

export function sendProblem(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
) {
  if (typeof extra.retryAfter === 'number') reply.header('retry-after', String(extra.retryAfter));
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send(problemBody(req, status, code, detail, extra));
}

/** Turns AJV's messages into `{ field, message }`, with the field as a path (`body/phone`). */
function validationErrors(error: FastifyError): FieldError[] {
  const context = error.validationContext ?? 'body';
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    let pointer = (v as { instancePath?: string }).instancePath ?? '';
    if (typeof params.missingProperty === 'string') pointer += `/${params.missingProperty}`;
    if (typeof params.additionalProperty === 'string') pointer += `/${params.additionalProperty}`;
    const field = `${context}${pointer}`;
    return { field, message: v.message ?? 'is invalid', code: v.keyword };
  });
}

function uniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return (e.cause?.code ?? e.code) === '23505';
}

/** Fastify's refusals of a body it cannot parse. */
const MALFORMED_BODY = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** One error handler for the whole API. 5xx details go to the log only. */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof AppError) {
      return sendProblem(req, reply, error.status, error.code, error.message, error.extra);
    }
    if (error.validation) {
      const errors = validationErrors(error);
      const names = errors.map((e) => e.field).join(', ');
      return sendProblem(req, reply, 400, 'validation', `Invalid fields: ${names}.`, { errors });
    }
    if (uniqueViolation(error)) {
      req.log.warn({ err: error }, 'unique violation');
      return sendProblem(req, reply, 409, 'conflict', 'This conflicts with an existing record.');
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return sendProblem(req, reply, 429, 'rate-limited', 'Too many requests; try again later.');
    }
    if (status === 413 || error.code === 'FST_REQ_FILE_TOO_LARGE' || error.code === 'FST_FILES_LIMIT') {
      return sendProblem(req, reply, 413, 'payload-too-large', 'The request is too large.');
    }
    if (status === 415) {
      return sendProblem(req, reply, 415, 'unsupported-media-type', 'This content type is not accepted.');
    }
    if (MALFORMED_BODY.has(error.code)) {
      // Not JSON, an empty JSON body, or a __proto__ / constructor key (secure-json-parse).
      return sendProblem(req, reply, 400, 'malformed-body', 'The body is not valid JSON.');
    }
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (malformed JSON, empty body…): safe to describe, never a stack.
      return sendProblem(req, reply, status, 'bad-request', error.message.replace(/\n[\s\S]*/, ''));
    }
    req.log.error({ err: error }, 'unhandled error');
    return sendProblem(req, reply, 500, 'internal', 'Something went wrong on our side. It has been logged.');
  });
}

/**
 * Fastify's answers before a route is found (its `frameworkErrors` option): a path that is not a
 * valid URL, a path parameter over `maxParamLength`. Without this they are Fastify's own JSON.
 */
export function answerFrameworkError(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', req.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(req, reply, 414, 'uri-too-long', 'A part of the path is too long.');
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return sendProblem(req, reply, 400, 'bad-request', 'The path is not a valid URL.');
  }
  req.log.error({ err: error }, 'framework error');
  return sendProblem(req, reply, 500, 'internal', 'Something went wrong on our side. It has been logged.');
}

const CLIENT_ERRORS: Record<string, [status: number, code: ErrorCode, detail: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'The request headers are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'The request did not arrive in time.'],
};

/**
 * Node's HTTP parser refusing a request before Fastify sees it (the server's `clientError`: header
 * overflow, a malformed request line or header, a timeout): a problem+json answer written on the
 * socket, then the connection is closed, as node itself does.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] = CLIENT_ERRORS[err.code ?? ''] ?? [
    400,
    'bad-request',
    'The request is not valid HTTP.',
  ];
  // Node writes nothing either when an answer on this connection has already begun.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const title = TITLES[status] ?? 'Error';
    const body = JSON.stringify({ type: `https://linli.dev/problems/${code}`, title, status, detail, code });
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n" +
        'X-Content-Type-Options: nosniff\r\n' +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
