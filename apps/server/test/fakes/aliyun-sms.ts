import { createHash, createHmac, randomUUID } from 'node:crypto';
import { loopbackServer, type Received } from './http';

/**
 * A fake of Alibaba Cloud SMS's `SendSms` (dysmsapi 2017-05-25, RPC style) on loopback, for the
 * official SDK pointed at it (`ALIYUN_SMS_ENDPOINT=http://127.0.0.1:<port>`). It checks the ACS3
 * signature against the access key's secret as the real gateway does, and answers the real
 * shapes: `{ Code: "OK", BizId }`, a refusal `{ Code: "isv.…" }` with HTTP 200, throttling as HTTP
 * 400 `Throttling.User`, or no answer at all (`hang`).
 */

export type AliyunAnswer = 'ok' | 'throttle' | 'hang' | { refuse: string; message?: string };

export interface AliyunSent {
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
}

const encode = (s: string) =>
  encodeURIComponent(s)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');

/** The ACS3-HMAC-SHA256 signature the request should carry, recomputed from what arrived. */
function signatureOk(r: Received, accessKeyId: string, secret: string): boolean {
  const auth = String(r.headers.authorization ?? '');
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(auth);
  if (!m || m[1] !== accessKeyId) return false;
  const url = new URL(r.url, 'http://fake');
  const query = [...url.searchParams.keys()]
    .sort()
    .map((k) => `${k}=${encode(url.searchParams.get(k) ?? '')}`)
    .join('&');
  const signed = m[2]!.split(';');
  const headers = signed.map((h) => `${h}:${String(r.headers[h] ?? '').trim()}\n`).join('');
  const payloadHash = createHash('sha256').update(r.body).digest('hex');
  if (r.headers['x-acs-content-sha256'] !== payloadHash) return false;
  const canonical = `${r.method}\n${url.pathname}\n${query}\n${headers}\n${signed.join(';')}\n${payloadHash}`;
  const toSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', secret).update(toSign).digest('hex') === m[3];
}

export async function startAliyunSmsFake(opts: { accessKeyId: string; accessKeySecret: string }) {
  const sent: AliyunSent[] = [];
  const script: AliyunAnswer[] = [];
  const requests: Received[] = [];
  let n = 0;
  const requestId = () => randomUUID().toUpperCase();
  const server = await loopbackServer((r) => {
    requests.push(r);
    if (r.headers['x-acs-action'] !== 'SendSms')
      return { status: 404, json: { Code: 'InvalidAction.NotFound', RequestId: requestId() } };
    if (!signatureOk(r, opts.accessKeyId, opts.accessKeySecret))
      return {
        status: 400,
        json: {
          Code: 'SignatureDoesNotMatch',
          Message: 'Specified signature is not matched with our calculation.',
          RequestId: requestId(),
        },
      };
    const q = new URL(r.url, 'http://fake').searchParams;
    const next = script.shift() ?? 'ok';
    if (next === 'hang') return 'hang';
    if (next === 'throttle')
      return {
        status: 400,
        json: {
          Code: 'Throttling.User',
          Message: 'Request was denied due to user flow control.',
          RequestId: requestId(),
        },
      };
    const phone = q.get('PhoneNumbers') ?? '';
    if (!/^1[3-9]\d{9}$/.test(phone))
      return {
        status: 200,
        json: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号', RequestId: requestId() },
      };
    if (typeof next === 'object')
      return {
        status: 200,
        json: { Code: next.refuse, Message: next.message ?? next.refuse, RequestId: requestId() },
      };
    sent.push({
      phone,
      signName: q.get('SignName') ?? '',
      templateCode: q.get('TemplateCode') ?? '',
      params: JSON.parse(q.get('TemplateParam') || '{}'),
    });
    return {
      status: 200,
      json: { Code: 'OK', Message: 'OK', BizId: `90061974693649844${++n}^0`, RequestId: requestId() },
    };
  });
  return {
    url: server.url,
    /** Texts the fake accepted, in order. */
    sent,
    /** Every request that reached it. */
    requests,
    /** The answers to the next requests, in order (then `ok`). */
    script(...answers: AliyunAnswer[]) {
      script.push(...answers);
    },
    close: server.close,
  };
}
export type AliyunSmsFake = Awaited<ReturnType<typeof startAliyunSmsFake>>;
