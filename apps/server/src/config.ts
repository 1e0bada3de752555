import path from 'node:path';

/**
 * Every environment variable Linli reads, validated once at start-up. Nothing else reads
 * `process.env`. A bad value throws a ConfigError that names the variable.
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Where the embedded database and uploads live. */
  dataDir: string;
  /** PostgreSQL server URL; when null the embedded PGlite database under dataDir is used. */
  databaseUrl: string | null;
  /** Use an in-memory embedded database (tests). */
  databaseInMemory: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  demo: boolean;
  demoPassword: string;
  /** Idle and absolute session lifetimes. */
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** Cookies get `Secure`: 'auto' = when the request came over HTTPS (X-Forwarded-Proto with trustProxy). */
  cookieSecure: 'auto' | 'always' | 'never';
  trustProxy: boolean;
  /** SMS sender for one-time codes: `log` (development; writes to the log) or `none`. */
  smsSender: 'log' | 'none';
  /** Serve the built web apps (apps/resident/dist, apps/console/dist). */
  serveWeb: boolean;
  webRoot: string;
  /** Staff lock-out: failures before the first lock, and its base duration. */
  lockoutThreshold: number;
  lockoutBaseSeconds: number;
  otpRatePerPhonePerHour: number;
  otpRatePerIpPerHour: number;
  /** Staff sign-in attempts one client address may make per minute (per server process). */
  loginRatePerIpPerMinute: number;
  /** Open311 service requests one partner key (or, without a key, one address) may POST per minute. */
  open311PostsPerKeyPerMinute: number;
  /** Daily upload quotas per account (Beijing calendar day), counted in the database (core/upload-quota.ts). */
  uploadResidentFilesPerDay: number;
  uploadResidentMbPerDay: number;
  uploadStaffFilesPerDay: number;
  uploadStaffMbPerDay: number;
  /** Upload requests (case reports, 处置 photos, applications, added materials) one account may send per minute (per server process). */
  uploadRequestsPerMinute: number;
  /** An upload whose body sends nothing for this long is cut off and its partial files removed. */
  uploadIdleSeconds: number;
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

/** Reads and validates the configuration. `overrides` win over the environment (tests). */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const production = nodeEnv === 'production';
  const databaseUrl = env.DATABASE_URL ? env.DATABASE_URL : null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  const demoPassword = str(env, 'LINLI_DEMO_PASSWORD', 'Linli@2026');
  if (demoPassword.length < 8) throw new ConfigError('LINLI_DEMO_PASSWORD', 'must be at least 8 characters');
  const config: Config = {
    env: nodeEnv,
    host: str(env, 'HOST', '0.0.0.0'),
    port: int(env, 'PORT', 3000, 0, 65535),
    dataDir: path.resolve(str(env, 'DATA_DIR', path.join(repoRoot, 'data'))),
    databaseUrl,
    databaseInMemory: false,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    demo: bool(env, 'LINLI_DEMO', !production),
    demoPassword,
    sessionIdleMinutes: int(env, 'SESSION_IDLE_MINUTES', 120, 5, 60 * 24 * 30),
    sessionAbsoluteHours: int(env, 'SESSION_ABSOLUTE_HOURS', 24 * 7, 1, 24 * 90),
    cookieSecure: oneOf(env, 'COOKIE_SECURE', ['auto', 'always', 'never'], 'auto'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    smsSender: oneOf(env, 'SMS_SENDER', ['log', 'none'], production ? 'none' : 'log'),
    serveWeb: bool(env, 'SERVE_WEB', true),
    webRoot: path.resolve(str(env, 'WEB_ROOT', path.join(repoRoot, 'apps'))),
    lockoutThreshold: int(env, 'LOCKOUT_THRESHOLD', 5, 1, 100),
    lockoutBaseSeconds: int(env, 'LOCKOUT_BASE_SECONDS', 60, 1, 86400),
    otpRatePerPhonePerHour: int(env, 'OTP_RATE_PER_PHONE_PER_HOUR', 5, 1, 1000),
    otpRatePerIpPerHour: int(env, 'OTP_RATE_PER_IP_PER_HOUR', 30, 1, 100000),
    loginRatePerIpPerMinute: int(env, 'LOGIN_RATE_PER_IP_PER_MINUTE', 30, 1, 100000),
    open311PostsPerKeyPerMinute: int(env, 'OPEN311_POSTS_PER_KEY_PER_MINUTE', 60, 1, 100000),
    uploadResidentFilesPerDay: int(env, 'UPLOAD_RESIDENT_FILES_PER_DAY', 100, 1, 1_000_000),
    uploadResidentMbPerDay: int(env, 'UPLOAD_RESIDENT_MB_PER_DAY', 200, 1, 10_000_000),
    uploadStaffFilesPerDay: int(env, 'UPLOAD_STAFF_FILES_PER_DAY', 500, 1, 1_000_000),
    uploadStaffMbPerDay: int(env, 'UPLOAD_STAFF_MB_PER_DAY', 1000, 1, 10_000_000),
    uploadRequestsPerMinute: int(env, 'UPLOAD_REQUESTS_PER_MINUTE', 10, 1, 100000),
    uploadIdleSeconds: int(env, 'UPLOAD_IDLE_SECONDS', 60, 1, 3600),
    ...overrides,
  };
  return config;
}
