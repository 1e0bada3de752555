import { hash, verify } from '@node-rs/argon2';

/** argon2id, OWASP's second recommended profile (19 MiB, 2 passes). */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2_OPTIONS);
export const verifyPassword = (hashed: string, password: string) => verify(hashed, password);
