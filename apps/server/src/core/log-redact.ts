import { maskIdNumber, maskPhone } from '@linli/contracts';

/**
 * Personal data out of the logs, masked the way the audit trail masks it (core/audit.ts).
 *
 * Log lines carry values without field names: a failing query's message, stack and `params`, a
 * driver's `detail` ("Key (phone)=(13800001234) already exists"), a URL with a phone in it. So
 * they are masked by shape: mainland mobile numbers (138****1234), 18-digit resident ID numbers
 * (510623********1234) and password hashes ([redacted]).
 */
const PHONE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;
const ID_NUMBER = /(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])/g;
const PASSWORD_HASH = /\$argon2(?:id|i|d)\$[^\s,'")]+/g;

/** A string with phone numbers, ID numbers and password hashes masked. */
export function redactText(text: string): string {
  if (text.length < 11) return text;
  return text
    .replace(PASSWORD_HASH, '[redacted]')
    .replace(ID_NUMBER, (m) => maskIdNumber(m) ?? m)
    .replace(PHONE, (m) => maskPhone(m) ?? m);
}

/** A copy of `value` with every string in it passed through `redactText` (cycles and depth bounded). */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1, seen);
  return out;
}

export interface SerializedError {
  type: string;
  message: string;
  stack: string;
  [k: string]: unknown;
}

/** pino's error serializer (type, message, stack, own fields, cause), then masked. */
export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error))
    return { type: typeof err, message: redactText(String(err)), stack: '', value: redactDeep(err) };
  const out: SerializedError = { type: err.name, message: err.message, stack: err.stack ?? '' };
  for (const [k, v] of Object.entries(err)) if (!(k in out)) out[k] = v;
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined) out.cause = cause instanceof Error ? serializeError(cause) : cause;
  return redactDeep(out) as SerializedError;
}

/** The request as the access log shows it (Fastify's default fields), its URL masked. */
export function serializeRequest(req: {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: redactText(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
