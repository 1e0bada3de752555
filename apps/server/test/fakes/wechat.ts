import { randomBytes } from 'node:crypto';
import { loopbackServer } from './http';

/**
 * A fake of the WeChat server API on loopback (`WECHAT_API_BASE=http://127.0.0.1:<port>`):
 * `POST /cgi-bin/stable_token`, `POST /cgi-bin/message/subscribe/send?access_token=…` and
 * `GET /sns/jscode2session`, answering their documented shapes and errcodes.
 */

export type WechatAnswer = 'ok' | 'busy' | 'expire-token' | 'hang' | { errcode: number; errmsg?: string };

export interface WechatSent {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: string;
  lang?: string;
}

export async function startWechatFake(opts: { appId: string; secret: string }) {
  const sent: WechatSent[] = [];
  const script: WechatAnswer[] = [];
  const tokens = new Set<string>();
  let tokenRequests = 0;
  let msgid = 1_000;
  const server = await loopbackServer((r) => {
    const url = new URL(r.url, 'http://fake');
    if (r.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
      tokenRequests++;
      const b = JSON.parse(r.body) as { grant_type?: string; appid?: string; secret?: string };
      if (b.grant_type !== 'client_credential')
        return { status: 200, json: { errcode: 40002, errmsg: 'invalid grant_type' } };
      if (b.appid !== opts.appId) return { status: 200, json: { errcode: 40013, errmsg: 'invalid appid' } };
      if (b.secret !== opts.secret)
        return { status: 200, json: { errcode: 40125, errmsg: 'invalid appsecret' } };
      const token = randomBytes(24).toString('base64url');
      tokens.add(token);
      return { status: 200, json: { access_token: token, expires_in: 7200 } };
    }
    if (r.method === 'POST' && url.pathname === '/cgi-bin/message/subscribe/send') {
      const token = url.searchParams.get('access_token') ?? '';
      const next = script[0] ?? 'ok';
      if (next === 'expire-token') {
        script.shift();
        tokens.clear();
      }
      if (!tokens.has(token))
        return {
          status: 200,
          json: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' },
        };
      script.shift();
      if (next === 'hang') return 'hang';
      if (next === 'busy') return { status: 200, json: { errcode: -1, errmsg: 'system error' } };
      if (typeof next === 'object')
        return { status: 200, json: { errcode: next.errcode, errmsg: next.errmsg ?? 'refused' } };
      const b = JSON.parse(r.body) as WechatSent;
      if (!b.touser) return { status: 200, json: { errcode: 40003, errmsg: 'invalid openid' } };
      sent.push(b);
      return { status: 200, json: { errcode: 0, errmsg: 'ok', msgid: ++msgid } };
    }
    if (r.method === 'GET' && url.pathname === '/sns/jscode2session') {
      const code = url.searchParams.get('js_code') ?? '';
      if (url.searchParams.get('appid') !== opts.appId || url.searchParams.get('secret') !== opts.secret)
        return { status: 200, json: { errcode: 40125, errmsg: 'invalid appsecret' } };
      // Codes the fake knows stand for `o<code>`; anything else is an invalid code.
      if (!code.startsWith('good-')) return { status: 200, json: { errcode: 40029, errmsg: 'invalid code' } };
      return { status: 200, json: { openid: `o${code}`, session_key: randomBytes(16).toString('base64') } };
    }
    return { status: 404, json: { errcode: 404, errmsg: 'no such api' } };
  });
  return {
    url: server.url,
    sent,
    /** How many tokens were asked for (the client caches one). */
    tokenRequests: () => tokenRequests,
    script(...answers: WechatAnswer[]) {
      script.push(...answers);
    },
    close: server.close,
  };
}
export type WechatFake = Awaited<ReturnType<typeof startWechatFake>>;
