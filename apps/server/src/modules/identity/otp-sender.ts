import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config';
import { AppError } from '../../core/errors';

/**
 * Where one-time codes go. A real deployment plugs in an SMS provider (阿里云短信, 腾讯云短信…)
 * by implementing this interface and passing it to buildApp({ otpSender }).
 */
export interface OtpSender {
  readonly name: string;
  send(phone: string, code: string, expiresAt: Date): Promise<void>;
  /** Development only: the last code sent to a number. */
  latest?(phone: string): { code: string; expiresAt: Date } | null;
}

/** Writes the code to the log and keeps the last one per number for GET /api/v1/dev/otp/:phone. */
export class LogOtpSender implements OtpSender {
  readonly name = 'log';
  private readonly last = new Map<string, { code: string; expiresAt: Date }>();
  constructor(private readonly log: FastifyBaseLogger) {}
  async send(phone: string, code: string, expiresAt: Date) {
    this.last.set(phone, { code, expiresAt });
    this.log.info({ phone, code, expiresAt }, 'one-time code (development sender)');
  }
  latest(phone: string) {
    return this.last.get(phone) ?? null;
  }
}

/** For production without a provider configured: sign-in by code is unavailable, said clearly. */
export class NoOtpSender implements OtpSender {
  readonly name = 'none';
  async send(): Promise<void> {
    throw new AppError(503, 'unavailable', 'No SMS provider is configured; sign-in by code is unavailable.');
  }
}

export function createOtpSender(config: Config, log: FastifyBaseLogger): OtpSender {
  return config.smsSender === 'log' ? new LogOtpSender(log) : new NoOtpSender();
}
