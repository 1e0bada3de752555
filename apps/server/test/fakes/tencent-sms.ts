import { createHash, createHmac, randomUUID } from 'node:crypto';
import { loopbackServer, type Received } from './http';

/**
 * A fake of Tencent Cloud SMS's `SendSms` (API 2021-01-11) on loopback, for the official SDK
 * pointed at it (`TENCENT_SMS_ENDPOINT=http://127.0.0.1:<port>`). It checks the TC3-HMAC-SHA256
 * signature as the real API does and answers its shapes: `Response.SendStatusSet[].Code` `Ok` or
 * a per-number refusal, `Response.Error` for the request (`RequestLimitExceeded` when
 * throttled), or no answer (`hang`).
 */

export type TencentAnswer = 'ok' | 'throttle' | 'hang' | { refuse: string; message?: string };

export interface TencentSent {
  phone: string;
  signName: string;
  sdkAppId: string;
  templateId: string;
  params: string[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest();

function signatureOk(r: Received, secretId: string, secretKey: string): boolean {
  const auth = String(r.headers.authorization ?? '');
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
      auth,
    );
  if (!m || m[1] !== secretId) return false;
  const [, , date, service, signedHeaders, signature] = m;
  const host = String(r.headers.host ?? '').replace(/:\d+$/, '');
  const headers = `content-type:${r.headers['content-type']}\nhost:${host}\n`;
  const url = new URL(r.url, 'http://fake');
  const canonical = `${r.method}\n${url.pathname}\n${url.search.slice(1)}\n${headers}\n${signedHeaders}\n${sha256(r.body)}`;
  const toSign = `TC3-HMAC-SHA256\n${r.headers['x-tc-timestamp']}\n${date}/${service}/tc3_request\n${sha256(canonical)}`;
  const key = hmac(hmac(hmac(`TC3${secretKey}`, date!), service!), 'tc3_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}

export async function startTencentSmsFake(opts: { secretId: string; secretKey: string }) {
  const sent: TencentSent[] = [];
  const script: TencentAnswer[] = [];
  const requests: Received[] = [];
  let n = 0;
  const error = (code: string, message: string) => ({
    status: 200,
    json: { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } },
  });
  const server = await loopbackServer((r) => {
    requests.push(r);
    if (r.headers['x-tc-action'] !== 'SendSms') return error('InvalidAction', 'The action does not exist.');
    if (!signatureOk(r, opts.secretId, opts.secretKey))
      return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    const body = JSON.parse(r.body) as {
      PhoneNumberSet: string[];
      SmsSdkAppId: string;
      SignName: string;
      TemplateId: string;
      TemplateParamSet?: string[];
    };
    const next = script.shift() ?? 'ok';
    if (next === 'hang') return 'hang';
    if (next === 'throttle')
      return error('RequestLimitExceeded', 'The number of requests exceeds the frequency limit.');
    const phone = body.PhoneNumberSet[0] ?? '';
    const status = (code: string, message: string, serial = '') => ({
      status: 200,
      json: {
        Response: {
          SendStatusSet: [
            {
              SerialNo: serial,
              PhoneNumber: phone,
              Fee: serial ? 1 : 0,
              SessionContext: '',
              Code: code,
              Message: message,
              IsoCode: 'CN',
            },
          ],
          RequestId: randomUUID(),
        },
      },
    });
    if (!/^\+861[3-9]\d{9}$/.test(phone))
      return status('InvalidParameterValue.IncorrectPhoneNumber', 'incorrect phone number');
    if (typeof next === 'object') return status(next.refuse, next.message ?? next.refuse);
    sent.push({
      phone: phone.slice(3),
      signName: body.SignName,
      sdkAppId: body.SmsSdkAppId,
      templateId: body.TemplateId,
      params: body.TemplateParamSet ?? [],
    });
    return status('Ok', 'send success', `5000:10457106691570536578494996${++n}`);
  });
  return {
    url: server.url,
    sent,
    requests,
    script(...answers: TencentAnswer[]) {
      script.push(...answers);
    },
    close: server.close,
  };
}
export type TencentSmsFake = Awaited<ReturnType<typeof startTencentSmsFake>>;
