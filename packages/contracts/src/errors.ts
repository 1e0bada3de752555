import { Type } from 'typebox';

/**
 * Every machine-readable error code the API can answer with. Front ends translate
 * `errors.<code>`; the server never sends a code that is not listed here.
 */
export const ERROR_CODES = [
  'validation',
  'bad-request',
  'unauthenticated',
  'session-expired',
  'forbidden',
  'not-found',
  'route-not-found',
  'conflict',
  'invalid-transition',
  'unprocessable',
  'rate-limited',
  'csrf',
  'payload-too-large',
  'unsupported-media-type',
  'internal',
  'unavailable',
  'otp-invalid',
  'otp-expired',
  'otp-too-many-attempts',
  'otp-cooldown',
  'login-failed',
  'account-locked',
  'account-disabled',
  'totp-required',
  'totp-invalid',
  'totp-enrolment-required',
  'totp-already-enabled',
  'totp-not-enrolled',
  'password-too-short',
  'password-too-common',
  'password-wrong',
  'password-reused',
  'username-taken',
  'phone-taken',
  'org-unit-retired',
  'org-unit-cycle',
  'org-unit-code-taken',
  'org-unit-kind',
  'grant-escalation',
  'grant-exists',
  'last-admin',
  'org-unit-has-children',
  'org-unit-root',
  'self-action',
  'staff-only',
  'role-not-for-residents',
  'item-not-offered',
  'file-type',
  'file-too-large',
  'too-many-files',
  'upload-quota',
  'not-a-proxy-item',
  'idempotency-in-progress',
  'outside-district',
  'unplaceable',
  'consent-required',
  'privacy-version-stale',
  'account-closure-blocked',
  'secret-key-mismatch',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const FieldError = Type.Object({
  /** JSON pointer-ish path of the field, e.g. `/phone` or `body/phone`. */
  field: Type.String(),
  message: Type.String(),
  code: Type.Optional(Type.String()),
});

/** RFC 9457 problem details, with Linli's `code` and `errors[]`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String(),
    errors: Type.Optional(Type.Array(FieldError)),
    retryAfter: Type.Optional(Type.Integer()),
    state: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
