import type { SmsRequest } from '../notify-templates';

/**
 * An SMS provider: the development `log` sender, Alibaba Cloud SMS, Tencent Cloud SMS, or
 * `none`. One-time codes (identity) and notification texts (the messages hub's outbox) both go
 * through the provider `config.smsSender` names.
 */
export interface SmsProvider {
  readonly name: 'log' | 'aliyun' | 'tencent' | 'none';
  /** Sends one text to a mainland number; resolves with the provider's id for it. */
  send(phone: string, message: SmsRequest): Promise<{ providerId: string | null }>;
}

/**
 * A provider's refusal or failure, sorted: `permanent` ones (an invalid number, a template or
 * signature not approved, a number on the do-not-disturb list, no provider configured) will not
 * succeed on a retry and are recorded against the delivery; the rest (throttling, a timeout, the
 * provider's own error, a balance or daily limit) are retried with back-off.
 */
export class SmsSendError extends Error {
  constructor(
    readonly permanent: boolean,
    /** The provider's code (`isv.MOBILE_NUMBER_ILLEGAL`, `LimitExceeded.…`) or ours (`timeout`, `no-provider`). */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SmsSendError';
  }
}

export type { SmsRequest };
