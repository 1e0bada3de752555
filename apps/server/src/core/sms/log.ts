import type { SmsRequest } from '../notify-templates';
import type { SmsProvider } from './types';

interface Logger {
  info(obj: object, msg: string): void;
}

/**
 * Development only: writes each text to the log and keeps the last 50 per number in memory for
 * `GET /api/v1/dev/sms/:phone` (and the tests). Never exists in production (config.ts).
 */
export class LogSmsProvider implements SmsProvider {
  readonly name = 'log';
  private readonly sent = new Map<string, string[]>();
  private count = 0;
  constructor(private readonly log: Logger) {}

  async send(phone: string, message: SmsRequest) {
    const list = this.sent.get(phone) ?? [];
    list.push(message.text);
    if (list.length > 50) list.shift();
    this.sent.set(phone, list);
    this.log.info({ phone, text: message.text }, 'text message (development sender)');
    return { providerId: `log-${++this.count}` };
  }

  /** The texts sent to a number, oldest first (the last 50). */
  texts(phone: string): string[] {
    return [...(this.sent.get(phone) ?? [])];
  }
}
