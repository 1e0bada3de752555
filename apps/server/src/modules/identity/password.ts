import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import type { FieldError } from '../../core/errors';
import { AppError } from '../../core/errors';

/** argon2id (the library default), OWASP's second recommended profile: 19 MiB, 2 passes. */
export const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS);
export const verifyPassword = (hashed: string, password: string) => verify(hashed, password);

let dummyHash: Promise<string> | null = null;
/** Computes the throw-away hash ahead of the first sign-in, so even that one is not slower. */
export function primeDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummyHash;
}

/**
 * Verifies `password` against a throw-away hash and answers false: called for unknown
 * usernames, so a failed sign-in takes as long whether or not the account exists.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  await verify(await primeDummyHash(), password).catch(() => false);
  return false;
}

export const MIN_PASSWORD_LENGTH = 10;

let common: Set<string> | null = null;
/** Lower-cased common passwords (data/common-passwords.txt), loaded on first use. */
function commonPasswords(): Set<string> {
  if (!common) {
    const file = path.join(import.meta.dirname, 'data', 'common-passwords.txt');
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    common = new Set(
      text
        .split('\n')
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  return common;
}

/**
 * The password policy for staff: at least MIN_PASSWORD_LENGTH characters, not a common
 * password, and not built on the username. Throws a 400 problem naming `field`.
 */
export function checkPasswordPolicy(password: string, username: string | null, field = 'body/newPassword') {
  const errors: FieldError[] = [];
  const lower = password.toLowerCase();
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw AppError.badRequest(
      'password-too-short',
      `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`,
      [{ field, message: `must have at least ${MIN_PASSWORD_LENGTH} characters`, code: 'minLength' }],
    );
  }
  const stripped = lower.replace(/[^a-z0-9]/g, '');
  if (commonPasswords().has(lower) || commonPasswords().has(stripped) || /^(.)\1+$/.test(password)) {
    errors.push({ field, message: 'is a commonly used password', code: 'common' });
  } else if (username && username.length >= 3 && lower.includes(username.toLowerCase())) {
    errors.push({ field, message: 'must not contain the username', code: 'common' });
  }
  if (errors.length)
    throw AppError.badRequest('password-too-common', 'This password is too easy to guess.', errors);
}

/** A temporary password for a new account or an admin reset: 14 characters, unambiguous letters and digits. */
export function generateTemporaryPassword(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  let out = '';
  for (let i = 0; i < 12; i++) out += alphabet[randomInt(alphabet.length)];
  // Always a digit and a symbol, in case a later policy asks for classes.
  return `${out.slice(0, 6)}-${randomInt(10)}${out.slice(6)}`;
}
