import { and, eq, gte, sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Actor } from './context';
import type { Db } from './db/client';
import { AppError } from './errors';
import { uploadLedger } from './schema';

/**
 * Daily upload quotas per account, counted in the database so several server processes on one
 * PostgreSQL enforce the same quota (as one-time codes are, decision 5). Each file reserves its
 * share before a byte of it is stored, under a per-account advisory lock, and settles to what was
 * really received when it ends; a request that would cross the quota is stopped where it crosses
 * it. Everything received counts, whether or not its request then went through: a burst of
 * refused requests costs the sender as much as a burst of accepted ones. The day is Beijing's.
 */

const MB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

export interface UploadLimits {
  filesPerDay: number;
  bytesPerDay: number;
}

/** The daily limits of an account: residents', or staff's (who photograph their work on site). */
export function uploadLimitsFor(config: Config, actor: Pick<Actor, 'kind'>): UploadLimits {
  return actor.kind === 'resident'
    ? { filesPerDay: config.uploadResidentFilesPerDay, bytesPerDay: config.uploadResidentMbPerDay * MB }
    : { filesPerDay: config.uploadStaffFilesPerDay, bytesPerDay: config.uploadStaffMbPerDay * MB };
}

/** Midnight (Beijing) that starts the day of `now`, and the next one. */
export function beijingDay(now: Date): { start: Date; end: Date } {
  const start = Math.floor((now.getTime() + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS;
  return { start: new Date(start), end: new Date(start + DAY_MS) };
}

/** What an account has used today: one indexed sum over its ledger rows since midnight. */
export async function uploadsToday(
  db: Pick<Db, 'select'>,
  accountId: string,
  now: Date,
): Promise<{ files: number; bytes: number }> {
  const [row] = await db
    .select({
      files: sql<string>`coalesce(sum(${uploadLedger.files}), 0)`,
      bytes: sql<string>`coalesce(sum(${uploadLedger.bytes}), 0)`,
    })
    .from(uploadLedger)
    .where(and(eq(uploadLedger.accountId, accountId), gte(uploadLedger.at, beijingDay(now).start)));
  return { files: Number(row?.files ?? 0), bytes: Number(row?.bytes ?? 0) };
}

const secondsToMidnight = (now: Date) =>
  Math.max(1, Math.ceil((beijingDay(now).end.getTime() - now.getTime()) / 1000));

const mb = (bytes: number) => (bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1);

export interface UploadAccount {
  accountId: string;
  limits: UploadLimits;
  purpose: string;
  requestId: string | null;
}

/** One file's reservation: settle it once the file has ended (or failed). */
export interface Reservation {
  /** Bytes this file may take: the file limit, or less when the day's quota has less left. */
  allowance: number;
  /** True when the allowance is what is left of the quota (so crossing it is a 429, not a 413). */
  byQuota: boolean;
  settle(received: number): Promise<void>;
}

/**
 * Reserves room for one file of at most `maxFileBytes` before any of it is stored: 429
 * `upload-quota` naming the limit (files or MB per day) when the day's quota is used up, with
 * `Retry-After` until Beijing midnight.
 */
export async function reserveUpload(
  db: Db,
  account: UploadAccount,
  file: { path: string; mime: string; field: string; maxFileBytes: number },
  now: Date,
): Promise<Reservation> {
  const { accountId, limits } = account;
  const allowance = await db.transaction(async (tx) => {
    // One account's reservations take turns (across processes); other accounts never wait.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`upload-quota:${accountId}`}))`);
    const used = await uploadsToday(tx, accountId, now);
    const retryAfter = secondsToMidnight(now);
    if (used.files >= limits.filesPerDay) {
      throw quotaError(
        retryAfter,
        `This account has uploaded ${used.files} files today; the daily limit is ${limits.filesPerDay} files. Uploads open again at midnight (Beijing time).`,
        file.field,
        `over the daily limit of ${limits.filesPerDay} files`,
      );
    }
    const left = limits.bytesPerDay - used.bytes;
    if (left <= 0) {
      throw quotaError(
        retryAfter,
        `This account has uploaded ${mb(used.bytes)} MB today; the daily quota is ${mb(limits.bytesPerDay)} MB. Uploads open again at midnight (Beijing time).`,
        file.field,
        `over the daily quota of ${mb(limits.bytesPerDay)} MB`,
      );
    }
    const bytes = Math.min(file.maxFileBytes, left);
    await tx.insert(uploadLedger).values({
      accountId,
      at: now,
      kind: 'reserve',
      files: 1,
      bytes,
      path: file.path,
      mime: file.mime,
      purpose: account.purpose,
      requestId: account.requestId,
    });
    return bytes;
  });
  let settled = false;
  return {
    allowance,
    byQuota: allowance < file.maxFileBytes,
    async settle(received: number) {
      if (settled) return;
      settled = true;
      // Bytes past the allowance were refused, never stored.
      received = Math.min(received, allowance);
      if (received === allowance) return;
      // The reservation's own time, so both rows fall on the same day.
      await db.insert(uploadLedger).values({
        accountId,
        at: now,
        kind: 'settle',
        files: 0,
        bytes: received - allowance,
        path: file.path,
        mime: file.mime,
        purpose: account.purpose,
        requestId: account.requestId,
      });
    },
  };
}

/** 429 `upload-quota` for a file that would take the account past its day's byte quota. */
export function quotaCrossed(limits: UploadLimits, field: string, filename: string, now: Date) {
  return quotaError(
    secondsToMidnight(now),
    `"${filename}" would take this account past its daily upload quota of ${mb(limits.bytesPerDay)} MB; the request was refused and nothing of it was kept. Uploads open again at midnight (Beijing time).`,
    field,
    `over the daily quota of ${mb(limits.bytesPerDay)} MB`,
  );
}

function quotaError(retryAfter: number, detail: string, field: string, message: string) {
  return new AppError(429, 'upload-quota', detail, {
    retryAfter,
    errors: [{ field, message, code: 'upload-quota' }],
  });
}
