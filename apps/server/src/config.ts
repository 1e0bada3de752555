import path from 'node:path';

/**
 * Every environment variable Linli reads, validated once at start-up. Nothing else reads
 * `process.env`. A bad value throws a ConfigError that names the variable.
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  /**
   * Development conveniences: the dev OTP and SMS endpoints, demo data, the `log` SMS sender.
   * On only when asked for (`LINLI_DEV=on`) or, when not set, for a non-production server that
   * listens on loopback only. A server reachable from other machines never serves them otherwise.
   */
  dev: boolean;
  host: string;
  /**
   * The origin browsers reach this server at (`https://linli.example.gov.cn`); writes from any
   * other origin are refused. When null, the request's own scheme and Host (forwarded ones only
   * under trustProxy).
   */
  publicOrigin: string | null;
  port: number;
  /** Where the embedded database and uploads live. */
  dataDir: string;
  /** PostgreSQL server URL; when null the embedded PGlite database under dataDir is used. */
  databaseUrl: string | null;
  /** Use an in-memory embedded database (tests). */
  databaseInMemory: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  demo: boolean;
  /**
   * With demo data: generate a year of activity (cases, applications, admissions, office hours)
   * once, at the first start (each module's `demo-history.ts`). Off in tests' template database.
   */
  demoHistory: boolean;
  demoPassword: string;
  /** Idle and absolute session lifetimes. */
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** Cookies get `Secure`: 'auto' = when the request came over HTTPS (X-Forwarded-Proto with trustProxy). */
  cookieSecure: 'auto' | 'always' | 'never';
  trustProxy: boolean;
  /**
   * Where one-time codes and notification texts go: `log` (development; writes them to the log),
   * `aliyun` (Alibaba Cloud SMS), `tencent` (Tencent Cloud SMS) or `none`.
   */
  smsSender: 'log' | 'none' | 'aliyun' | 'tencent';
  sms: SmsConfig;
  /** Template ids a deployment had approved (NOTIFY_TEMPLATE_IDS): event code → provider → id. */
  notifyTemplateIds: Readonly<Record<string, { aliyun?: string; tencent?: string; wechat?: string }>>;
  /** WeChat subscription messages (订阅消息); null when not configured. */
  wechat: WechatConfig | null;
  /**
   * Online map tiles (天地图 Tianditu) under the offline drawing of both apps' maps; null (the
   * default) keeps the maps offline and the Content-Security-Policy as it is.
   */
  mapTiles: MapTilesConfig | null;
  /** Serve the built web apps (apps/resident/dist, apps/console/dist). */
  serveWeb: boolean;
  webRoot: string;
  /** Staff lock-out: failures before the first lock, and its base duration. */
  lockoutThreshold: number;
  lockoutBaseSeconds: number;
  otpRatePerPhonePerHour: number;
  /** Seconds before a number may be sent another sign-in code. */
  otpResendCooldownSeconds: number;
  otpRatePerIpPerHour: number;
  /** Staff sign-in attempts one client address may make per minute (per server process). */
  loginRatePerIpPerMinute: number;
  /** Open311 service requests one partner key (or, without a key, one address) may POST per minute. */
  open311PostsPerKeyPerMinute: number;
  /**
   * 32-byte key that encrypts secrets at rest (TOTP secrets; AES-256-GCM). Required in production;
   * in development and tests, null means a key generated once under DATA_DIR (core/secret-box.ts).
   */
  secretKey: Buffer | null;
  /** Daily upload quotas per account (Beijing calendar day), counted in the database (core/upload-quota.ts). */
  uploadResidentFilesPerDay: number;
  uploadResidentMbPerDay: number;
  uploadStaffFilesPerDay: number;
  uploadStaffMbPerDay: number;
  /** Upload requests (case reports, 处置 photos, applications, added materials) one account may send per minute (per server process). */
  uploadRequestsPerMinute: number;
  /** An upload whose body sends nothing for this long is cut off and its partial files removed. */
  uploadIdleSeconds: number;
  /**
   * This process runs jobs (core/jobs): scheduled ones, reminders, SMS. Several processes on one
   * PostgreSQL may all run them (each job runs once); off for a process that only serves requests.
   * Tests drive the runner themselves whatever this says.
   */
  jobsWorker: boolean;
  /** Job handlers running at once in this process. */
  jobsConcurrency: number;
  /** How often an idle runner looks for due jobs. */
  jobsPollMs: number;
  /** A job whose process stops answering is taken by another runner this long after its last heartbeat. */
  jobsLeaseSeconds: number;
  /**
   * The bearer token Prometheus sends to `GET /metrics` (core/metrics.ts). Null: metrics are off,
   * nothing is measured and `/metrics` answers 404.
   */
  metricsToken: string | null;
}

/** An HTTP(S) endpoint of a provider's API: scheme and `host[:port]`. */
export interface Endpoint {
  protocol: 'http' | 'https';
  host: string;
}

export interface SmsConfig {
  /** The approved SMS signature, shown as 【邻里+】 before every text. */
  signName: string;
  /** How long one request to the SMS provider or WeChat may take before it counts as failed (and is retried). */
  timeoutMs: number;
  /** No notification texts between these minutes of the Beijing day (start > end wraps midnight); null: none. */
  quietHours: { start: number; end: number } | null;
  aliyun: { accessKeyId: string; accessKeySecret: string; endpoint: Endpoint } | null;
  tencent: {
    secretId: string;
    secretKey: string;
    sdkAppId: string;
    region: string;
    endpoint: Endpoint;
  } | null;
}

export interface MapTilesConfig {
  /**
   * Tile URL templates drawn bottom to top (base map, then labels): `{z}`, `{x}`, `{y}` the tile,
   * `{s}` one of `subdomains`; the key already filled in.
   */
  urlTemplates: string[];
  subdomains: string[];
  /** The `https://host` origins the templates load from, for the CSP's img-src. */
  origins: string[];
}

export interface WechatConfig {
  appId: string;
  secret: string;
  /** https://api.weixin.qq.com, or a loopback fake in tests. */
  apiBase: string;
  /** Which version of the mini-program a message opens: developer, trial or formal. */
  miniprogramState: 'developer' | 'trial' | 'formal';
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const repoRoot = path.resolve(import.meta.dirname, '../../..');

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be on or off, got "${raw}"`);
}

/** True for an address only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1'
  );
}

function origin(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an origin such as https://linli.example.gov.cn, got "${raw}"`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw.replace(/\/$/, ''))
    throw new ConfigError(name, `must be a scheme, host and optional port only, got "${raw}"`);
  return url.origin;
}

/** `https://host[:port]`, `http://127.0.0.1:port` (a test's fake) or a bare host (HTTPS). */
function endpoint(env: Env, name: string, fallback: string): Endpoint {
  const raw = str(env, name, fallback);
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(name, `must be a host or an http(s) URL such as https://${fallback}, got "${raw}"`);
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    (url.pathname !== '/' && url.pathname !== '')
  )
    throw new ConfigError(name, `must be a scheme, host and optional port only, got "${raw}"`);
  return { protocol: url.protocol === 'http:' ? 'http' : 'https', host: url.host };
}

function required(env: Env, name: string, why: string): string {
  const v = env[name]?.trim();
  if (!v) throw new ConfigError(name, `must be set ${why}`);
  return v;
}

/** `22:00-08:00` (minutes of the Beijing day), or `off`. */
function quietHours(env: Env): { start: number; end: number } | null {
  const raw = str(env, 'SMS_QUIET_HOURS', '22:00-08:00').trim();
  if (raw === 'off') return null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
  if (!m) throw new ConfigError('SMS_QUIET_HOURS', `must be HH:MM-HH:MM (Beijing time) or off, got "${raw}"`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (start === end) throw new ConfigError('SMS_QUIET_HOURS', 'must not start and end at the same time');
  return { start, end };
}

function smsConfig(env: Env, sender: Config['smsSender']): SmsConfig {
  const signName = str(env, 'SMS_SIGN_NAME', '邻里+');
  if ([...signName].length < 2 || [...signName].length > 12)
    throw new ConfigError(
      'SMS_SIGN_NAME',
      'must be 2 to 12 characters (the approved signature, without 【】)',
    );
  const why = (p: string) => `with SMS_SENDER=${p}`;
  return {
    signName,
    timeoutMs: int(env, 'NOTIFY_TIMEOUT_SECONDS', 10, 1, 120) * 1000,
    quietHours: quietHours(env),
    aliyun:
      sender === 'aliyun'
        ? {
            accessKeyId: required(env, 'ALIYUN_SMS_ACCESS_KEY_ID', why('aliyun')),
            accessKeySecret: required(env, 'ALIYUN_SMS_ACCESS_KEY_SECRET', why('aliyun')),
            endpoint: endpoint(env, 'ALIYUN_SMS_ENDPOINT', 'dysmsapi.aliyuncs.com'),
          }
        : null,
    tencent:
      sender === 'tencent'
        ? {
            secretId: required(env, 'TENCENT_SMS_SECRET_ID', why('tencent')),
            secretKey: required(env, 'TENCENT_SMS_SECRET_KEY', why('tencent')),
            sdkAppId: required(env, 'TENCENT_SMS_SDK_APP_ID', why('tencent')),
            region: str(env, 'TENCENT_SMS_REGION', 'ap-guangzhou'),
            endpoint: endpoint(env, 'TENCENT_SMS_ENDPOINT', 'sms.tencentcloudapi.com'),
          }
        : null,
  };
}

/** NOTIFY_TEMPLATE_IDS: `{"cases.step": {"aliyun": "SMS_123", "tencent": "123456", "wechat": "…"}}`. */
function templateIds(env: Env): Config['notifyTemplateIds'] {
  const raw = env.NOTIFY_TEMPLATE_IDS?.trim();
  if (!raw) return {};
  const bad = (why: string) =>
    new ConfigError(
      'NOTIFY_TEMPLATE_IDS',
      `${why}; expected {"<event>": {"aliyun": "SMS_…", "tencent": "…", "wechat": "…"}}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw bad('is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad('is not an object');
  const out: Record<string, { aliyun?: string; tencent?: string; wechat?: string }> = {};
  for (const [event, ids] of Object.entries(parsed)) {
    if (!ids || typeof ids !== 'object' || Array.isArray(ids)) throw bad(`"${event}" is not an object`);
    const entry: { aliyun?: string; tencent?: string; wechat?: string } = {};
    for (const [provider, id] of Object.entries(ids)) {
      if (provider !== 'aliyun' && provider !== 'tencent' && provider !== 'wechat')
        throw bad(`"${event}" names the provider "${provider}"`);
      if (typeof id !== 'string' || !id) throw bad(`"${event}".${provider} is not a template id`);
      if (provider === 'aliyun' && !/^SMS_\d+$/.test(id))
        throw bad(`"${event}".aliyun "${id}" is not SMS_<digits>`);
      if (provider === 'tencent' && !/^\d+$/.test(id)) throw bad(`"${event}".tencent "${id}" is not numeric`);
      entry[provider] = id;
    }
    out[event] = entry;
  }
  return out;
}

/** Tianditu's Web-Mercator vector map and its labels (`_w` = EPSG:3857), the key as `{key}`. */
export const TIANDITU_DEFAULT_TEMPLATE = [
  'https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}',
  'https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}',
].join(' ');
const TIANDITU_SUBDOMAINS = ['0', '1', '2', '3', '4', '5', '6', '7'];

/**
 * TIANDITU_KEY switches the tile layer on; TIANDITU_URL_TEMPLATE (one or more https templates,
 * space-separated, base map first) says where tiles come from. A template needs `{z}`, `{x}` and
 * `{y}`; `{key}` is replaced by the key, `{s}` by a subdomain 0–7.
 */
function mapTilesConfig(env: Env): MapTilesConfig | null {
  const key = env.TIANDITU_KEY?.trim();
  const raw = env.TIANDITU_URL_TEMPLATE?.trim();
  if (!key) {
    if (raw)
      throw new ConfigError('TIANDITU_URL_TEMPLATE', 'is used only with TIANDITU_KEY, which is not set');
    return null;
  }
  if (!/^[0-9A-Za-z]{8,64}$/.test(key))
    throw new ConfigError('TIANDITU_KEY', 'must be the 天地图 key: 8 to 64 letters and digits');
  const templates = (raw || TIANDITU_DEFAULT_TEMPLATE).split(/\s+/);
  const origins = new Set<string>();
  for (const t of templates) {
    for (const part of ['{z}', '{x}', '{y}'])
      if (!t.includes(part))
        throw new ConfigError('TIANDITU_URL_TEMPLATE', `each template needs ${part}, got "${t}"`);
    let url: URL;
    try {
      url = new URL(t.replaceAll('{s}', '0'));
    } catch {
      throw new ConfigError('TIANDITU_URL_TEMPLATE', `must be https URL templates, got "${t}"`);
    }
    if (url.protocol !== 'https:' || url.username || url.password || url.hostname.includes('{'))
      throw new ConfigError(
        'TIANDITU_URL_TEMPLATE',
        `must be https URL templates whose host is fixed but for {s}, got "${t}"`,
      );
    for (const sub of t.includes('{s}') ? TIANDITU_SUBDOMAINS : ['0'])
      origins.add(new URL(t.replaceAll('{s}', sub)).origin);
  }
  return {
    urlTemplates: templates.map((t) => t.replaceAll('{key}', key)),
    subdomains: templates.some((t) => t.includes('{s}')) ? TIANDITU_SUBDOMAINS : [],
    origins: [...origins],
  };
}

function wechatConfig(env: Env): WechatConfig | null {
  const appId = env.WECHAT_APPID?.trim();
  const secret = env.WECHAT_SECRET?.trim();
  if (!appId && !secret) return null;
  if (!appId) throw new ConfigError('WECHAT_APPID', 'must be set with WECHAT_SECRET');
  if (!secret) throw new ConfigError('WECHAT_SECRET', 'must be set with WECHAT_APPID');
  const base = endpoint(env, 'WECHAT_API_BASE', 'api.weixin.qq.com');
  return {
    appId,
    secret,
    apiBase: `${base.protocol}://${base.host}`,
    miniprogramState: oneOf(env, 'WECHAT_MINIPROGRAM_STATE', ['developer', 'trial', 'formal'], 'formal'),
  };
}

/** LINLI_SECRET_KEY: 32 bytes as 64 hex digits or base64 (`openssl rand -base64 32`). */
function secretKey(env: Env, production: boolean): Buffer | null {
  const raw = env.LINLI_SECRET_KEY?.trim();
  if (!raw) {
    if (production)
      throw new ConfigError(
        'LINLI_SECRET_KEY',
        'must be set in production: 32 random bytes as base64 or 64 hex digits (openssl rand -base64 32); it encrypts TOTP secrets at rest',
      );
    return null;
  }
  const key = /^[0-9a-fA-F]{64}$/.test(raw)
    ? Buffer.from(raw, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw)
      ? Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64')
      : null;
  if (key?.length !== 32)
    throw new ConfigError('LINLI_SECRET_KEY', 'must be 32 bytes as base64 (44 characters) or 64 hex digits');
  return key;
}

/** METRICS_TOKEN: 16–512 visible ASCII characters (`openssl rand -hex 32`), as sent in a Bearer header. */
function metricsToken(env: Env): string | null {
  const raw = env.METRICS_TOKEN;
  if (raw === undefined || raw === '') return null;
  if (!/^[\x21-\x7e]{16,512}$/.test(raw))
    throw new ConfigError(
      'METRICS_TOKEN',
      'must be 16 to 512 visible ASCII characters without spaces, e.g. openssl rand -hex 32',
    );
  return raw;
}

/** Reads and validates the configuration. `overrides` win over the environment (tests). */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const production = nodeEnv === 'production';
  const host = str(env, 'HOST', '127.0.0.1');
  const devAsked = env.LINLI_DEV === undefined || env.LINLI_DEV === '' ? null : bool(env, 'LINLI_DEV', false);
  if (devAsked && production)
    throw new ConfigError(
      'LINLI_DEV',
      'development conveniences cannot be switched on with NODE_ENV=production',
    );
  const dev = devAsked ?? (!production && isLoopback(host));
  const devOnly = (name: string) =>
    new ConfigError(
      name,
      `is a development convenience: it needs LINLI_DEV=on, or a non-production server listening on loopback only (HOST=${host})`,
    );
  const demo = bool(env, 'LINLI_DEMO', dev);
  if (demo && !dev) throw devOnly('LINLI_DEMO');
  const demoHistory = bool(env, 'LINLI_DEMO_HISTORY', demo);
  if (demoHistory && !demo)
    throw new ConfigError(
      'LINLI_DEMO_HISTORY',
      'a year of demo activity needs the demo district: set LINLI_DEMO=on',
    );
  const smsSender = oneOf(env, 'SMS_SENDER', ['log', 'none', 'aliyun', 'tencent'], dev ? 'log' : 'none');
  if (smsSender === 'log' && !dev) throw devOnly('SMS_SENDER');
  const databaseUrl = env.DATABASE_URL ? env.DATABASE_URL : null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  const demoPassword = str(env, 'LINLI_DEMO_PASSWORD', 'Linli@2026');
  if (demoPassword.length < 8) throw new ConfigError('LINLI_DEMO_PASSWORD', 'must be at least 8 characters');
  const config: Config = {
    env: nodeEnv,
    dev,
    host,
    publicOrigin: origin(env, 'PUBLIC_ORIGIN'),
    port: int(env, 'PORT', 3000, 0, 65535),
    dataDir: path.resolve(str(env, 'DATA_DIR', path.join(repoRoot, 'data'))),
    databaseUrl,
    databaseInMemory: false,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    demo,
    demoHistory,
    demoPassword,
    sessionIdleMinutes: int(env, 'SESSION_IDLE_MINUTES', 120, 5, 60 * 24 * 30),
    sessionAbsoluteHours: int(env, 'SESSION_ABSOLUTE_HOURS', 24 * 7, 1, 24 * 90),
    cookieSecure: oneOf(env, 'COOKIE_SECURE', ['auto', 'always', 'never'], 'auto'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    smsSender,
    sms: smsConfig(env, smsSender),
    notifyTemplateIds: templateIds(env),
    wechat: wechatConfig(env),
    mapTiles: mapTilesConfig(env),
    serveWeb: bool(env, 'SERVE_WEB', true),
    webRoot: path.resolve(str(env, 'WEB_ROOT', path.join(repoRoot, 'apps'))),
    lockoutThreshold: int(env, 'LOCKOUT_THRESHOLD', 5, 1, 100),
    lockoutBaseSeconds: int(env, 'LOCKOUT_BASE_SECONDS', 60, 1, 86400),
    otpRatePerPhonePerHour: int(env, 'OTP_RATE_PER_PHONE_PER_HOUR', 5, 1, 1000),
    otpResendCooldownSeconds: int(env, 'OTP_RESEND_COOLDOWN_SECONDS', 60, 10, 600),
    otpRatePerIpPerHour: int(env, 'OTP_RATE_PER_IP_PER_HOUR', 30, 1, 100000),
    loginRatePerIpPerMinute: int(env, 'LOGIN_RATE_PER_IP_PER_MINUTE', 30, 1, 100000),
    open311PostsPerKeyPerMinute: int(env, 'OPEN311_POSTS_PER_KEY_PER_MINUTE', 60, 1, 100000),
    secretKey: secretKey(env, production),
    uploadResidentFilesPerDay: int(env, 'UPLOAD_RESIDENT_FILES_PER_DAY', 100, 1, 1_000_000),
    uploadResidentMbPerDay: int(env, 'UPLOAD_RESIDENT_MB_PER_DAY', 200, 1, 10_000_000),
    uploadStaffFilesPerDay: int(env, 'UPLOAD_STAFF_FILES_PER_DAY', 500, 1, 1_000_000),
    uploadStaffMbPerDay: int(env, 'UPLOAD_STAFF_MB_PER_DAY', 1000, 1, 10_000_000),
    uploadRequestsPerMinute: int(env, 'UPLOAD_REQUESTS_PER_MINUTE', 10, 1, 100000),
    uploadIdleSeconds: int(env, 'UPLOAD_IDLE_SECONDS', 60, 1, 3600),
    jobsWorker: bool(env, 'JOBS_WORKER', true),
    jobsConcurrency: int(env, 'JOBS_CONCURRENCY', 4, 1, 64),
    jobsPollMs: int(env, 'JOBS_POLL_MS', 1000, 50, 60_000),
    jobsLeaseSeconds: int(env, 'JOBS_LEASE_SECONDS', 60, 3, 3600),
    metricsToken: metricsToken(env),
    ...overrides,
  };
  return config;
}
