import { and, eq } from 'drizzle-orm';
import type { Executor } from './db/client';
import { AppError } from './errors';
import { idempotencyKeys } from './schema';

/**
 * `Idempotency-Key` for writes a phone may retry: the same key from the same account on the same
 * route answers with the first response instead of doing the write again. The key is reserved
 * before the write (so two concurrent retries cannot both write); a write that fails releases it.
 */

const KEY = /^[\x21-\x7e]{1,200}$/;
const PENDING = 'pending';

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** Reads the header; 400 naming it when malformed, undefined when absent. */
export function idempotencyKeyOf(headers: Record<string, unknown>): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY.test(raw)) {
    throw AppError.validation(
      [
        {
          field: 'headers/idempotency-key',
          message: 'must be 1–200 visible ASCII characters',
          code: 'format',
        },
      ],
      'Invalid fields: headers/idempotency-key.',
    );
  }
  return raw;
}

/** Runs `write` once per (account, key, route); replays store the status and the body of the first run. */
export async function idempotent<T>(
  db: Executor,
  p: { accountId: string; key: string | undefined; route: string },
  write: () => Promise<{ status: number; body: T }>,
): Promise<IdempotentResult<T>> {
  if (!p.key) return { ...(await write()), replayed: false };
  const where = and(
    eq(idempotencyKeys.accountId, p.accountId),
    eq(idempotencyKeys.key, p.key),
    eq(idempotencyKeys.route, p.route),
  );
  const reserved = await db
    .insert(idempotencyKeys)
    .values({ accountId: p.accountId, key: p.key, route: p.route, statusCode: PENDING, body: {} })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (reserved.length === 0) {
    const [first] = await db.select().from(idempotencyKeys).where(where).limit(1);
    if (!first || first.statusCode === PENDING) {
      throw AppError.conflict(
        'idempotency-in-progress',
        'A request with this Idempotency-Key is still running.',
      );
    }
    return { status: Number(first.statusCode), body: first.body as T, replayed: true };
  }
  try {
    const result = await write();
    await db
      .update(idempotencyKeys)
      .set({ statusCode: String(result.status), body: result.body as object })
      .where(where);
    return { ...result, replayed: false };
  } catch (err) {
    await db.delete(idempotencyKeys).where(where);
    throw err;
  }
}
