import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  otpauthUrl,
  type TotpAlgorithm,
  totpCode,
  totpStep,
  verifyTotp,
} from './totp';

const SEED_SHA1 = Buffer.from('12345678901234567890');
const SEED_SHA256 = Buffer.from('12345678901234567890123456789012');
const SEED_SHA512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234');

describe('RFC 6238 Appendix B test vectors (8 digits, 30 s steps)', () => {
  const vectors: [number, string, string, string][] = [
    // [unix seconds, SHA-1, SHA-256, SHA-512]
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  const seeds: Record<TotpAlgorithm, Buffer> = { sha1: SEED_SHA1, sha256: SEED_SHA256, sha512: SEED_SHA512 };
  for (const [seconds, sha1, sha256, sha512] of vectors) {
    for (const [algorithm, expected] of [
      ['sha1', sha1],
      ['sha256', sha256],
      ['sha512', sha512],
    ] as const) {
      it(`gives ${expected} at T=${seconds} with ${algorithm.toUpperCase()}`, () => {
        const at = new Date(seconds * 1000);
        expect(totpCode(seeds[algorithm], at, { digits: 8, algorithm })).toBe(expected);
      });
    }
  }
});

describe('RFC 4226 Appendix D HOTP values', () => {
  const expected = [
    '755224',
    '287082',
    '359152',
    '969429',
    '338314',
    '254676',
    '287922',
    '162583',
    '399871',
    '520489',
  ];
  expected.forEach((code, counter) => {
    it(`gives ${code} for counter ${counter}`, () => {
      expect(hotp(SEED_SHA1, counter)).toBe(code);
    });
  });
});

describe('base32 (RFC 4648 section 10)', () => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  for (const [plain, encoded] of vectors) {
    it(`encodes "${plain}" as "${encoded}" (unpadded) and back`, () => {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    });
  }

  it('decodes lower case, spaces and padding as authenticator apps display them', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => base32Decode('MZXW1')).toThrow();
  });

  it('makes 20-byte secrets (32 base32 characters) that differ each time', () => {
    const a = generateTotpSecret();
    const b = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(a)).toHaveLength(20);
    expect(a).not.toBe(b);
  });
});

describe('verifyTotp', () => {
  const secret = base32Encode(SEED_SHA1);
  const now = new Date(1_700_000_015_000);
  const step = totpStep(now);
  const codeAt = (s: number) => hotp(SEED_SHA1, s);

  it('accepts the current code and answers its step', () => {
    expect(verifyTotp(secret, codeAt(step), now, null)).toBe(step);
  });

  it('accepts the previous and the next step for clock drift', () => {
    expect(verifyTotp(secret, codeAt(step - 1), now, null)).toBe(step - 1);
    expect(verifyTotp(secret, codeAt(step + 1), now, null)).toBe(step + 1);
  });

  it('refuses codes two steps away', () => {
    expect(verifyTotp(secret, codeAt(step - 2), now, null)).toBeNull();
    expect(verifyTotp(secret, codeAt(step + 2), now, null)).toBeNull();
  });

  it('never accepts the same step twice, nor an earlier one', () => {
    expect(verifyTotp(secret, codeAt(step), now, step)).toBeNull();
    expect(verifyTotp(secret, codeAt(step - 1), now, step - 1)).toBeNull();
    expect(verifyTotp(secret, codeAt(step - 1), now, step)).toBeNull();
    expect(verifyTotp(secret, codeAt(step + 1), now, step)).toBe(step + 1);
  });

  it('refuses a wrong code, a malformed code and a malformed secret', () => {
    const window = [codeAt(step - 1), codeAt(step), codeAt(step + 1)];
    const wrong = ['000000', '111111', '222222', '333333'].find((c) => !window.includes(c))!;
    expect(verifyTotp(secret, wrong, now, null)).toBeNull();
    expect(verifyTotp(secret, '12345', now, null)).toBeNull();
    expect(verifyTotp(secret, 'abcdef', now, null)).toBeNull();
    expect(verifyTotp('not base32!', codeAt(step), now, null)).toBeNull();
  });
});

describe('otpauthUrl', () => {
  it('names the issuer 邻里+ URL-encoded in the label and the query, with SHA1/6/30', () => {
    const url = otpauthUrl('JBSWY3DPEHPK3PXP', 'hanlin-secretary');
    expect(url).toBe(
      'otpauth://totp/%E9%82%BB%E9%87%8C%2B:hanlin-secretary?secret=JBSWY3DPEHPK3PXP' +
        '&issuer=%E9%82%BB%E9%87%8C%2B&algorithm=SHA1&digits=6&period=30',
    );
    const parsed = new URL(url);
    expect(parsed.searchParams.get('issuer')).toBe('邻里+');
    expect(parsed.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
  });
});
