import Dysmsapi, { SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { SmsConfig } from '../../config';
import type { SmsRequest } from '../notify-templates';
import { type SmsProvider, SmsSendError } from './types';

/**
 * Alibaba Cloud SMS (阿里云短信服务, `dysmsapi` 2017-05-25) through its official SDK. `SendSms`
 * answers HTTP 200 with `Code: "OK"` and a `BizId`, or another `Code` for a refusal; throttling and
 * gateway errors come as HTTP 4xx/5xx, which the SDK throws. The SDK's own retries are off: the
 * job runner retries with back-off.
 */

/** Codes that a retry will not change: the number, the template, the signature or the account's approval. */
const PERMANENT = new Set([
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.MOBILE_COUNT_OVER_LIMIT',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.SMS_SIGN_ILLEGAL',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.TEMPLATE_PARAMS_ILLEGAL',
  'isv.INVALID_JSON_PARAM',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.PARAM_NOT_SUPPORT_URL',
  'isv.BLACK_KEY_CONTROL_LIMIT',
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL',
  'isv.SIGN_STATE_ILLEGAL',
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED',
  'isv.MOBILE_IN_BLACK',
  'isv.DENY_IP_RANGE',
]);

// The package is CommonJS with `exports.default`; under Node's ESM loader the class sits there.
type ClientClass = typeof Dysmsapi;
const DysmsClient: ClientClass =
  (Dysmsapi as unknown as { default?: ClientClass }).default ?? (Dysmsapi as ClientClass);

export class AliyunSmsProvider implements SmsProvider {
  readonly name = 'aliyun';
  private readonly client: InstanceType<ClientClass>;

  constructor(
    config: NonNullable<SmsConfig['aliyun']>,
    private readonly signName: string,
    timeoutMs: number,
  ) {
    this.client = new DysmsClient(
      new $OpenApiUtil.Config({
        accessKeyId: config.accessKeyId,
        accessKeySecret: config.accessKeySecret,
        endpoint: config.endpoint.host,
        protocol: config.endpoint.protocol,
        regionId: 'cn-hangzhou',
        connectTimeout: timeoutMs,
        readTimeout: timeoutMs,
      }),
    );
  }

  async send(phone: string, message: SmsRequest) {
    let body: { code?: string; message?: string; bizId?: string } | undefined;
    try {
      const res = await this.client.sendSms(
        new SendSmsRequest({
          phoneNumbers: phone,
          signName: this.signName,
          templateCode: message.aliyun.templateCode,
          templateParam: JSON.stringify(message.aliyun.params),
        }),
      );
      body = res.body;
    } catch (err) {
      const e = err as { code?: string; statusCode?: number; message?: string; name?: string };
      const code = e.code ? String(e.code) : e.name === 'ThrottlingError' ? 'Throttling' : 'request-failed';
      // Thrown: throttling, the gateway's 4xx/5xx, a timeout or a refused connection. A 4xx other
      // than throttling that names a bad parameter will not get better either.
      const permanent = PERMANENT.has(code);
      throw new SmsSendError(permanent, code, `Alibaba Cloud SMS: ${e.message ?? String(err)}`);
    }
    const code = body?.code ?? 'no-answer';
    if (code === 'OK') return { providerId: body?.bizId ?? null };
    throw new SmsSendError(
      PERMANENT.has(code),
      code,
      `Alibaba Cloud SMS refused: ${code} ${body?.message ?? ''}`.trim(),
    );
  }
}
