import type { Config } from '../../config';
import { AliyunSmsProvider } from './aliyun';
import { LogSmsProvider } from './log';
import { TencentSmsProvider } from './tencent';
import { type SmsProvider, SmsSendError } from './types';

export { LogSmsProvider } from './log';
export { type SmsProvider, SmsSendError, type SmsRequest } from './types';

/** No provider configured: every text is refused, permanently (the start says so; README). */
class NoSmsProvider implements SmsProvider {
  readonly name = 'none';
  async send(): Promise<never> {
    throw new SmsSendError(true, 'no-provider', 'No SMS provider is configured (SMS_SENDER=none).');
  }
}

interface Logger {
  info(obj: object, msg: string): void;
}

const providers = new WeakMap<Config, SmsProvider>();

/**
 * The SMS provider `config.smsSender` names, one per configuration: sign-in codes sent by the
 * request and notification texts sent by the job runner share it (and, for the development
 * `log` sender, the texts `GET /api/v1/dev/sms/:phone` shows).
 */
export function smsProvider(config: Config, log: Logger): SmsProvider {
  let p = providers.get(config);
  if (p) return p;
  const { sms } = config;
  switch (config.smsSender) {
    case 'log':
      p = new LogSmsProvider(log);
      break;
    case 'aliyun':
      if (!sms.aliyun) throw new Error('SMS_SENDER=aliyun without its settings');
      p = new AliyunSmsProvider(sms.aliyun, sms.signName, sms.timeoutMs);
      break;
    case 'tencent':
      if (!sms.tencent) throw new Error('SMS_SENDER=tencent without its settings');
      p = new TencentSmsProvider(sms.tencent, sms.signName, sms.timeoutMs);
      break;
    default:
      p = new NoSmsProvider();
  }
  providers.set(config, p);
  return p;
}
