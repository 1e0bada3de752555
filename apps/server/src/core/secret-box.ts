import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

/**
 * Secrets at rest (TOTP secrets): AES-256-GCM over node:crypto with the key from
 * `LINLI_SECRET_KEY`. A sealed value is `enc:v1:<iv>.<ciphertext>.<tag>` (base64url), bound to
 * what it belongs to (`context`, e.g. `totp:<accountId>`) as additional authenticated data, so a
 * sealed value copied onto another row does not open.
 */

const PREFIX = 'enc:v1:';
export const KEY_FILE = 'secret.key';

/** The key does not open a sealed value: it is not the key the value was sealed with (or the value was changed). */
export class SecretKeyMismatch extends Error {
  constructor() {
    super('LINLI_SECRET_KEY does not open this secret: it was sealed with another key, or changed');
    this.name = 'SecretKeyMismatch';
  }
}

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${PREFIX}${iv.toString('base64url')}.${body.toString('base64url')}.${tag.toString('base64url')}`;
  }

  /** Opens a sealed value; throws SecretKeyMismatch when this key (or this context) does not open it. */
  open(sealed: string, context: string): string {
    if (!SecretBox.isSealed(sealed)) throw new Error('not a sealed secret');
    const [iv, body, tag] = sealed.slice(PREFIX.length).split('.');
    if (!iv || body === undefined || !tag) throw new SecretKeyMismatch();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretKeyMismatch();
    }
  }
}

/**
 * The key secrets are sealed with: LINLI_SECRET_KEY when set (required in production, config.ts).
 * Otherwise, in development, a key generated once and kept in `DATA_DIR/secret.key` (mode 0600),
 * so restarts keep reading what they sealed; an in-memory database gets a key for this process.
 */
export function resolveSecretKey(
  config: Pick<Config, 'secretKey' | 'dataDir' | 'databaseInMemory' | 'env'>,
  log: (message: string) => void = () => {},
): Buffer {
  if (config.secretKey) return config.secretKey;
  if (config.env === 'production') throw new Error('LINLI_SECRET_KEY is required in production');
  if (config.databaseInMemory) return randomBytes(32);
  const file = path.join(config.dataDir, KEY_FILE);
  if (fs.existsSync(file)) {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    log(`LINLI_SECRET_KEY is not set: using the development key in ${file}`);
    return key;
  }
  const key = randomBytes(32);
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  log(
    `LINLI_SECRET_KEY is not set: generated a development key in ${file} (set LINLI_SECRET_KEY in production)`,
  );
  return key;
}
