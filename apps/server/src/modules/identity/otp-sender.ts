import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config';
import { AppError } from '../../core/errors';
import { renderSms } from '../../core/notify-templates';
import { LogSmsProvider, type SmsProvider, SmsSendError, smsProvider } from '../../core/sms';
import { closeAccountCode, signInCode } from './events';
import { OTP_TTL_SECONDS } from './otp';

/**
 * How one-time codes reach a phone: through the SMS provider `SMS_SENDER` names (Alibaba Cloud,
 * Tencent Cloud, or the development `log` sender), at once, while the person waits on the
 * sign-in page. Codes do not go through the notification outbox: a code that arrives after a
 * queued retry minutes later is useless, and the person can ask for a new one after the
 * cool-down. Quiet hours do not apply to them.
 */
export interface OtpSender {
  readonly name: string;
  /** A one-time code; `purpose` picks the SMS template (a sign-in code, or confirming 注销). */
  send(phone: string, code: string, expiresAt: Date, purpose?: 'sign_in' | 'close_account'): Promise<void>;
  /** Development only: the last code sent to a number. */
  latest?(phone: string): { code: string; expiresAt: Date } | null;
  /** Development only: every text sent to a number (codes and notifications), oldest first (the last 50). */
  texts?(phone: string): string[];
}

/** Sends codes through a provider; a refusal becomes an answer the person can act on. */
export class ProviderOtpSender implements OtpSender {
  constructor(
    protected readonly provider: SmsProvider,
    private readonly config: Config,
  ) {}

  get name() {
    return this.provider.name;
  }

  async send(
    phone: string,
    code: string,
    _expiresAt: Date,
    purpose: 'sign_in' | 'close_account' = 'sign_in',
  ) {
    const def = purpose === 'close_account' ? closeAccountCode : signInCode;
    const message = renderSms(def, { code, minutes: Math.round(OTP_TTL_SECONDS / 60) }, 'zh-CN', {
      signName: this.config.sms.signName,
      override: this.config.notifyTemplateIds[def.code],
    })!;
    try {
      await this.provider.send(phone, message);
    } catch (err) {
      if (err instanceof SmsSendError && err.code === 'no-provider')
        throw new AppError(
          503,
          'unavailable',
          'No SMS provider is configured; sign-in by code is unavailable.',
        );
      if (err instanceof SmsSendError && err.permanent)
        throw AppError.badRequest('sms-refused', 'The SMS provider refused to send a code to this number.', [
          { field: 'body/phone', message: `refused by the SMS provider (${err.code})`, code: 'sms-refused' },
        ]);
      // Throttled, timed out, or the provider's own error: the person may try again shortly.
      throw new AppError(503, 'unavailable', 'The code could not be sent just now; try again in a minute.');
    }
  }
}

/** Development: the log sender, keeping the last code per number for GET /api/v1/dev/otp/:phone. */
export class LogOtpSender extends ProviderOtpSender {
  private readonly last = new Map<string, { code: string; expiresAt: Date }>();
  constructor(
    private readonly log: LogSmsProvider,
    config: Config,
  ) {
    super(log, config);
  }
  override async send(
    phone: string,
    code: string,
    expiresAt: Date,
    purpose: 'sign_in' | 'close_account' = 'sign_in',
  ) {
    this.last.set(phone, { code, expiresAt });
    await super.send(phone, code, expiresAt, purpose);
  }
  latest(phone: string) {
    return this.last.get(phone) ?? null;
  }
  texts(phone: string) {
    return this.log.texts(phone);
  }
}

export function createOtpSender(config: Config, log: FastifyBaseLogger): OtpSender {
  const provider = smsProvider(config, log);
  return provider instanceof LogSmsProvider
    ? new LogOtpSender(provider, config)
    : new ProviderOtpSender(provider, config);
}
