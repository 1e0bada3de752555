import * as tencentcloud from 'tencentcloud-sdk-nodejs-sms';
import type { SmsConfig } from '../../config';
import type { SmsRequest } from '../notify-templates';
import { type SmsProvider, SmsSendError } from './types';

/**
 * Tencent Cloud SMS (腾讯云短信, API 2021-01-11 `SendSms`) through its official SDK. A request
 * error comes as `Response.Error` (the SDK throws it with `code`); a per-number result is in
 * `SendStatusSet[].Code` (`Ok`, or the refusal).
 */

/** Codes that a retry will not change. */
const PERMANENT = new Set([
  'InvalidParameterValue.IncorrectPhoneNumber',
  'InvalidParameterValue.TemplateParameterFormatError',
  'InvalidParameterValue.TemplateParameterLengthLimit',
  'InvalidParameterValue.ContentLengthLimit',
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter',
  'InvalidParameterValue.MissingSignature',
  'InvalidParameterValue.SdkAppIdNotExist',
  'FailedOperation.TemplateIncorrectOrUnapproved',
  'FailedOperation.SignatureIncorrectOrUnapproved',
  'FailedOperation.PhoneNumberInBlacklist',
  'FailedOperation.ContainSensitiveWord',
  'FailedOperation.MissingTemplateToModify',
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber',
  'UnsupportedOperation.UnsupportedRegion',
]);

type SmsModule = typeof tencentcloud;
const sdk: SmsModule = (tencentcloud as unknown as { default?: SmsModule }).default ?? tencentcloud;
const SmsClient = sdk.sms.v20210111.Client;

export class TencentSmsProvider implements SmsProvider {
  readonly name = 'tencent';
  private readonly client: InstanceType<typeof SmsClient>;

  constructor(
    private readonly config: NonNullable<SmsConfig['tencent']>,
    private readonly signName: string,
    timeoutMs: number,
  ) {
    this.client = new SmsClient({
      credential: { secretId: config.secretId, secretKey: config.secretKey },
      region: config.region,
      profile: {
        httpProfile: {
          endpoint: config.endpoint.host,
          protocol: `${config.endpoint.protocol}://`,
          reqTimeout: Math.max(1, Math.round(timeoutMs / 1000)),
        },
      },
    });
  }

  async send(phone: string, message: SmsRequest) {
    let status: { Code?: string; Message?: string; SerialNo?: string } | undefined;
    try {
      const res = await this.client.SendSms({
        PhoneNumberSet: [`+86${phone}`],
        SmsSdkAppId: this.config.sdkAppId,
        SignName: this.signName,
        TemplateId: message.tencent.templateId,
        TemplateParamSet: message.tencent.params,
      });
      status = res.SendStatusSet?.[0];
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const code = e.code || 'request-failed';
      throw new SmsSendError(PERMANENT.has(code), code, `Tencent Cloud SMS: ${e.message ?? String(err)}`);
    }
    const code = status?.Code ?? 'no-answer';
    if (code === 'Ok') return { providerId: status?.SerialNo ?? null };
    throw new SmsSendError(
      PERMANENT.has(code),
      code,
      `Tencent Cloud SMS refused: ${code} ${status?.Message ?? ''}`.trim(),
    );
  }
}
