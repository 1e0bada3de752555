import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config';
import { AppError } from '../../core/errors';

/**
 * The one SMS sender: sign-in codes and notification texts (办件 status changes…) both go through
 * it. A real deployment plugs in an SMS provider (阿里云短信, 腾讯云短信…) by implementing this
 * interface and passing it to buildApp({ otpSender }).
 */
export interface OtpSender {
  readonly name: string;
  /** A one-time code; `purpose` picks the SMS template (a sign-in code, or confirming 注销). */
  send(phone: string, code: string, expiresAt: Date, purpose?: 'sign_in' | 'close_account'): Promise<void>;
  /** A notification text (not a code). Callers treat a failure as "not delivered", never fatal. */
  sendText(phone: string, text: string): Promise<void>;
  /** Development only: the last code sent to a number. */
  latest?(phone: string): { code: string; expiresAt: Date } | null;
  /** Development only: the notification texts sent to a number, oldest first (the last 50). */
  texts?(phone: string): string[];
}

/** Writes the code to the log and keeps the last one per number for GET /api/v1/dev/otp/:phone. */
export class LogOtpSender implements OtpSender {
  readonly name = 'log';
  private readonly last = new Map<string, { code: string; expiresAt: Date }>();
  constructor(private readonly log: FastifyBaseLogger) {}
  async send(phone: string, code: string, expiresAt: Date, purpose: 'sign_in' | 'close_account' = 'sign_in') {
    this.last.set(phone, { code, expiresAt });
    this.log.info({ phone, code, expiresAt, purpose }, 'one-time code (development sender)');
  }
  latest(phone: string) {
    return this.last.get(phone) ?? null;
  }
  private readonly sent = new Map<string, string[]>();
  async sendText(phone: string, text: string) {
    const list = this.sent.get(phone) ?? [];
    list.push(text);
    if (list.length > 50) list.shift();
    this.sent.set(phone, list);
    this.log.info({ phone, text }, 'notification text (development sender)');
  }
  texts(phone: string) {
    return [...(this.sent.get(phone) ?? [])];
  }
}

/** For production without a provider configured: sign-in by code is unavailable, said clearly. */
export class NoOtpSender implements OtpSender {
  readonly name = 'none';
  async send(): Promise<void> {
    throw new AppError(503, 'unavailable', 'No SMS provider is configured; sign-in by code is unavailable.');
  }
  async sendText(): Promise<void> {
    throw new AppError(503, 'unavailable', 'No SMS provider is configured; the text was not sent.');
  }
}

export function createOtpSender(config: Config, log: FastifyBaseLogger): OtpSender {
  return config.smsSender === 'log' ? new LogOtpSender(log) : new NoOtpSender();
}
