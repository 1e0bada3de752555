import type { Config, WechatConfig } from '../../config';
import type { WechatRequest } from '../../core/notify-templates';

/**
 * The WeChat server API a mini-program's back end calls (there is no official Node SDK; these
 * are its documented HTTPS endpoints): a stable access token (`cgi-bin/stable_token`, which
 * several server processes may each fetch without invalidating each other's), subscription
 * messages (`cgi-bin/message/subscribe/send`) and a login code's openid (`sns/jscode2session`).
 */

/** A WeChat refusal: `permanent` ones (the person unsubscribed, a bad template or openid) are not retried. */
export class WechatError extends Error {
  constructor(
    readonly permanent: boolean,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WechatError';
  }
}

/** errcodes a retry will not change. */
const PERMANENT = new Set([
  40003, // touser is not a valid openid
  40037, // template_id is not valid
  43101, // the person refused (or cancelled) the subscription
  47003, // template data does not fit the template
  41030, // page is not a page of the published mini-program
]);
/** errcodes that mean the token is stale: fetch a new one and try once more. */
const STALE_TOKEN = new Set([40001, 40014, 42001]);

interface Answer {
  errcode?: number;
  errmsg?: string;
  [k: string]: unknown;
}

export class WechatClient {
  private token: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly config: WechatConfig,
    private readonly timeoutMs: number,
  ) {}

  private async call(path: string, init: { method: 'GET' | 'POST'; body?: unknown }): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${this.config.apiBase}${path}`, {
        method: init.method,
        headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError';
      throw new WechatError(
        false,
        timeout ? 'timeout' : 'request-failed',
        `WeChat API: ${(err as Error).message}`,
      );
    }
    if (!res.ok) throw new WechatError(false, `http-${res.status}`, `WeChat API answered HTTP ${res.status}`);
    try {
      return (await res.json()) as Answer;
    } catch {
      throw new WechatError(false, 'bad-answer', 'WeChat API answered something that is not JSON');
    }
  }

  /** A valid access token, fetched again five minutes before it expires or when forced. */
  async accessToken(now: number, force = false): Promise<string> {
    if (!force && this.token && this.token.expiresAt - 300_000 > now) return this.token.value;
    const a = await this.call('/cgi-bin/stable_token', {
      method: 'POST',
      body: {
        grant_type: 'client_credential',
        appid: this.config.appId,
        secret: this.config.secret,
        force_refresh: force,
      },
    });
    if (typeof a.access_token !== 'string' || !a.access_token)
      throw new WechatError(
        false,
        String(a.errcode ?? 'no-token'),
        `WeChat token: ${a.errmsg ?? 'no access_token'}`,
      );
    const seconds = typeof a.expires_in === 'number' ? a.expires_in : 7200;
    this.token = { value: a.access_token, expiresAt: now + seconds * 1000 };
    return this.token.value;
  }

  /** Sends a subscription message; resolves with WeChat's msgid (when it gives one). */
  async sendSubscribeMessage(openid: string, message: WechatRequest, lang: 'zh_CN' | 'en_US', now: number) {
    const body = {
      touser: openid,
      template_id: message.templateId,
      ...(message.page ? { page: message.page } : {}),
      data: message.data,
      miniprogram_state: this.config.miniprogramState,
      lang,
    };
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(now, attempt > 0);
      const a = await this.call(`/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        body,
      });
      const code = a.errcode ?? 0;
      if (code === 0) return { providerId: a.msgid === undefined ? null : String(a.msgid) };
      if (STALE_TOKEN.has(code) && attempt === 0) continue;
      throw new WechatError(
        PERMANENT.has(code),
        String(code),
        `WeChat refused: ${code} ${a.errmsg ?? ''}`.trim(),
      );
    }
  }

  /** The openid a mini-program login code (wx.login) stands for. */
  async openidOfCode(code: string): Promise<string> {
    const q = new URLSearchParams({
      appid: this.config.appId,
      secret: this.config.secret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    const a = await this.call(`/sns/jscode2session?${q}`, { method: 'GET' });
    if (typeof a.openid === 'string' && a.openid) return a.openid;
    // 40029: invalid code; 40163: code already used; 40226: the account is blocked as high-risk.
    const permanent = [40029, 40163, 40226].includes(a.errcode ?? 0);
    throw new WechatError(
      permanent,
      String(a.errcode ?? 'no-openid'),
      `WeChat login: ${a.errmsg ?? 'no openid'}`,
    );
  }
}

const clients = new WeakMap<Config, WechatClient>();

/** The WeChat client for a configuration (its token cached per process), or null when not configured. */
export function wechatClient(config: Config): WechatClient | null {
  if (!config.wechat) return null;
  let c = clients.get(config);
  if (!c) {
    c = new WechatClient(config.wechat, config.sms.timeoutMs);
    clients.set(config, c);
  }
  return c;
}
