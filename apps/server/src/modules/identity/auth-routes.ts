import {
  DevOtp,
  DevTexts,
  IdParams,
  Login,
  LoginResult,
  Me,
  MeUpdate,
  OtpRequest,
  OtpSent,
  OtpVerify,
  PasswordChange,
  Phone,
  Problem,
  SessionList,
  SessionState,
  TotpCode,
  TotpDisable,
  TotpEnabled,
  TotpEnrolment,
  TotpSignIn,
} from '@linli/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { clearSessionCookies, setSessionCookies } from '../../core/auth/sessions';
import { AppError } from '../../core/errors';
import {
  authDeps,
  changePassword,
  completeTotpSignIn,
  disableTotp,
  enableTotp,
  enrolTotp,
  getMe,
  type IssuedSession,
  listSessions,
  logout,
  logoutEverywhere,
  requestOtp,
  revokeOwnSession,
  signInWithOtp,
  signInWithPassword,
  updateMe,
} from './auth-service';
import { presentMe } from './me-presenter';
import { primeDummyHash } from './password';

/** Staff sign-in attempts allowed per IP per minute (on top of the per-account lock-out). */

const NoContent = Type.Null({ description: 'No content' });
const PhoneParams = Type.Object({ phone: Phone });
const ALL_STAGES = ['full', 'totp', 'totp_enrol'] as const;

/**
 * Sign-in and the caller's own account, under /api/v1: resident one-time codes, staff password
 * + TOTP, sign-out, `/me` and its sessions. Thin: schema in, service call, presenter out.
 */
export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = authDeps(app);
  app.addHook('onReady', async () => {
    await primeDummyHash();
  });

  /** Answers a sign-in step: cookies for the new session, then where the sign-in stands. */
  async function signInResult(req: FastifyRequest, reply: FastifyReply, issued: IssuedSession) {
    setSessionCookies(app.config, req, reply, issued.token);
    if (issued.stage === 'totp') return { status: 'totp_required' as const, me: null };
    if (issued.stage === 'totp_enrol') return { status: 'totp_enrolment_required' as const, me: null };
    return { status: 'signed_in' as const, me: await presentMe(deps.db, issued.accountId) };
  }

  // ---------- residents ----------

  app.post(
    '/auth/otp',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Send a one-time sign-in code by SMS',
        body: OtpRequest,
        response: { 200: OtpSent, 400: Problem, 403: Problem, 429: Problem, 503: Problem },
      },
    },
    async (req) => requestOtp(deps, req.ctx, req.body.phone),
  );

  app.post(
    '/auth/otp/verify',
    {
      config: { permission: 'public', allowStages: [...ALL_STAGES] },
      schema: {
        tags: ['auth'],
        summary: 'Sign a resident in with the code (creates the account on first sign-in)',
        body: OtpVerify,
        response: { 200: LoginResult, 400: Problem, 403: Problem },
      },
    },
    async (req, reply) =>
      signInResult(req, reply, await signInWithOtp(deps, req.ctx, req.body.phone, req.body.code)),
  );

  // Development conveniences (config.dev): never on a server reachable from other machines unless
  // LINLI_DEV=on says so.
  if (app.config.dev) {
    app.get(
      '/dev/otp/:phone',
      {
        config: { permission: 'public' },
        // The URL carries a phone number: keep it out of the request log.
        logLevel: 'warn',
        schema: {
          tags: ['dev'],
          summary: 'Development only: the last code the log sender sent to a number',
          params: PhoneParams,
          response: { 200: DevOtp, 400: Problem, 404: Problem },
        },
      },
      async (req) => {
        const sent = app.otpSender.latest?.(req.params.phone);
        if (!sent) throw AppError.notFound('code sent to this number');
        return { phone: req.params.phone, code: sent.code, expiresAt: sent.expiresAt.toISOString() };
      },
    );
    app.get(
      '/dev/sms/:phone',
      {
        config: { permission: 'public' },
        logLevel: 'warn',
        schema: {
          tags: ['dev'],
          summary: 'Development only: the notification texts the log sender sent to a number',
          params: PhoneParams,
          response: { 200: DevTexts, 400: Problem },
        },
      },
      async (req) => ({ phone: req.params.phone, texts: app.otpSender.texts?.(req.params.phone) ?? [] }),
    );
  }

  // ---------- staff ----------

  app.post(
    '/auth/login',
    {
      config: {
        permission: 'public',
        allowStages: [...ALL_STAGES],
        rateLimit: {
          max: app.config.loginRatePerIpPerMinute,
          timeWindow: '1 minute',
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign staff in with username and password',
        body: Login,
        response: { 200: LoginResult, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (req, reply) =>
      signInResult(req, reply, await signInWithPassword(deps, req.ctx, req.body.username, req.body.password)),
  );

  app.post(
    '/auth/totp',
    {
      config: { permission: 'staff', allowStages: ['totp'] },
      schema: {
        tags: ['auth'],
        summary: 'Finish a staff sign-in with the authenticator code or a one-time recovery code',
        body: TotpSignIn,
        response: { 200: LoginResult, 400: Problem, 401: Problem, 403: Problem, 409: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      const outcome = await completeTotpSignIn(deps, req.ctx, req.body.code);
      if (!outcome.ok) {
        if (outcome.endSession) clearSessionCookies(reply);
        throw outcome.error;
      }
      return signInResult(req, reply, outcome.value);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { permission: 'public', allowStages: [...ALL_STAGES] },
      schema: {
        tags: ['auth'],
        summary: 'Sign out of this session',
        response: { 204: NoContent, 403: Problem },
      },
    },
    async (req, reply) => {
      await logout(deps, req.ctx);
      clearSessionCookies(reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/logout-all',
    {
      config: { permission: 'signed-in', withoutConsent: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign out of every session of this account',
        response: { 204: NoContent, 401: Problem, 403: Problem },
      },
    },
    async (req, reply) => {
      await logoutEverywhere(deps, req.ctx);
      clearSessionCookies(reply);
      return reply.code(204).send(null);
    },
  );

  // ---------- me ----------

  app.get(
    '/me',
    {
      config: { permission: 'signed-in', withoutConsent: true },
      schema: {
        tags: ['me'],
        summary: 'The signed-in account, its grants and permissions',
        response: { 200: Me, 401: Problem },
      },
    },
    async (req) => getMe(deps, req.ctx),
  );

  // Public: a visitor's start-up probe answers "signed out" with 200, not a 401 the browser logs.
  app.get(
    '/session',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['me'],
        summary: 'Whether this browser is signed in, and as whom (200 for a visitor too)',
        response: { 200: SessionState },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      if (req.ctx.actor.kind === 'anonymous') return { signedIn: false, me: null };
      return { signedIn: true, me: await getMe(deps, req.ctx) };
    },
  );

  app.patch(
    '/me',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['me'],
        summary: 'Change the display name; residents also set their home community or grid',
        body: MeUpdate,
        response: { 200: Me, 400: Problem, 401: Problem, 403: Problem },
      },
    },
    async (req) => updateMe(deps, req.ctx, req.body),
  );

  app.post(
    '/me/password',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['me'],
        summary: 'Change the password (signs every other session out)',
        body: PasswordChange,
        response: { 204: NoContent, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      await changePassword(deps, req.ctx, req.body);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/totp/enrol',
    {
      config: { permission: 'staff', allowStages: ['full', 'totp_enrol'] },
      schema: {
        tags: ['me'],
        summary: 'Start setting up an authenticator app: a new secret, pending until enabled',
        response: { 200: TotpEnrolment, 401: Problem, 403: Problem, 409: Problem },
      },
    },
    async (req) => enrolTotp(deps, req.ctx),
  );

  app.post(
    '/me/totp/enable',
    {
      config: { permission: 'staff', allowStages: ['full', 'totp_enrol'] },
      schema: {
        tags: ['me'],
        summary:
          'Confirm the authenticator with a code and turn it on; answers ten recovery codes, shown once',
        body: TotpCode,
        response: { 200: TotpEnabled, 400: Problem, 401: Problem, 403: Problem, 409: Problem },
      },
    },
    async (req, reply) => {
      const { issued, recoveryCodes } = await enableTotp(deps, req.ctx, req.body.code, req.sessionStage);
      if (issued) setSessionCookies(app.config, req, reply, issued.token);
      reply.header('cache-control', 'no-store');
      return { ...(await presentMe(deps.db, issued?.accountId ?? req.ctx.actor.accountId!)), recoveryCodes };
    },
  );

  app.post(
    '/me/totp/disable',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['me'],
        summary: 'Turn the authenticator off (needs the password)',
        body: TotpDisable,
        response: { 200: Me, 400: Problem, 401: Problem, 403: Problem, 409: Problem, 429: Problem },
      },
    },
    async (req) => {
      await disableTotp(deps, req.ctx, req.body.password);
      return getMe(deps, req.ctx);
    },
  );

  app.get(
    '/me/sessions',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['me'],
        summary: 'The signed-in sessions of this account',
        response: { 200: SessionList, 401: Problem },
      },
    },
    async (req) => ({ items: await listSessions(deps, req.ctx) }),
  );

  app.post(
    '/me/sessions/:id/revoke',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['me'],
        summary: 'Sign one of this account’s sessions out',
        params: IdParams,
        response: { 204: NoContent, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      const { current } = await revokeOwnSession(deps, req.ctx, req.params.id);
      if (current) clearSessionCookies(reply);
      return reply.code(204).send(null);
    },
  );
}
