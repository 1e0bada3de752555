import {
  ClosureConfirm,
  ClosurePreview,
  MyPrivacy,
  OtpSent,
  PrivacyConsentCreate,
  PrivacyNotice,
  PrivacyNoticeCreate,
  PrivacyNoticeList,
  Problem,
} from '@linli/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { clearSessionCookies } from '../../core/auth/sessions';
import { removeStoredFiles } from '../../core/files';
import { authDeps } from './auth-service';
import {
  closeMyAccount,
  closurePreview,
  exportMyData,
  type PersonalDataDeps,
  sendClosureCode,
} from './personal-data-service';
import {
  consentToNotice,
  getCurrentNotice,
  getMyPrivacy,
  listNotices,
  publishNotice,
} from './privacy-service';

const NoContent = Type.Null({ description: 'No content' });

/**
 * 个人信息保护 under /api/v1: the privacy notice (public; a district admin publishes versions),
 * a resident's consent to it, the download of their own data, and closing their account. The
 * resident routes here are open before consent (`withoutConsent`): the notice must be readable
 * to be agreed to, and access, copy and deletion are rights, not favours.
 */
export async function privacyRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const auth = authDeps(app);
  const deps = (): PersonalDataDeps => ({ ...auth, sources: app.personalData, dataDir: app.config.dataDir });

  app.get(
    '/privacy-notice',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['privacy'],
        summary: 'The privacy notice (个人信息处理规则) in force, zh-CN and en',
        response: { 200: PrivacyNotice, 404: Problem },
      },
    },
    async (req) => getCurrentNotice(auth, req.ctx),
  );

  app.get(
    '/privacy-notices',
    {
      config: { permission: 'privacy.manage' },
      schema: {
        tags: ['privacy'],
        summary: 'Every published version of the district’s privacy notice, newest first',
        response: { 200: PrivacyNoticeList, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req) => ({ items: await listNotices(auth, req.ctx) }),
  );

  app.post(
    '/privacy-notices',
    {
      config: { permission: 'privacy.manage' },
      schema: {
        tags: ['privacy'],
        summary: 'Publish a new version of the privacy notice: every resident is asked to agree again',
        body: PrivacyNoticeCreate,
        response: { 201: PrivacyNotice, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req, reply) => reply.code(201).send(await publishNotice(auth, req.ctx, req.body)),
  );

  app.get(
    '/me/privacy',
    {
      config: { permission: 'resident', withoutConsent: true },
      schema: {
        tags: ['privacy'],
        summary: 'The notice in force, whether the resident must agree to it, and their consents',
        response: { 200: MyPrivacy, 401: Problem, 403: Problem },
      },
    },
    async (req) => getMyPrivacy(auth, req.ctx),
  );

  app.post(
    '/me/privacy/consent',
    {
      config: { permission: 'resident', withoutConsent: true },
      schema: {
        tags: ['privacy'],
        summary: 'Agree to the version of the notice in force (recorded with time, IP and device)',
        body: PrivacyConsentCreate,
        response: { 200: MyPrivacy, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => consentToNotice(auth, req.ctx, req.body.version),
  );

  app.get(
    '/me/data-export',
    {
      config: {
        permission: 'resident',
        withoutConsent: true,
        rateLimit: { max: 10, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['privacy'],
        summary: 'Download my personal data: a .zip of JSON and the photos and files I uploaded',
        response: {
          200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }),
          401: Problem,
          403: Problem,
          429: Problem,
        },
      },
    },
    async (req, reply) => {
      const { stream, fileName } = await exportMyData(deps(), req.ctx);
      stream.on('error', (err) => req.log.error({ err }, 'personal data export failed mid-way'));
      return reply
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .type('application/zip')
        .send(stream);
    },
  );

  app.get(
    '/me/closure',
    {
      config: { permission: 'resident', withoutConsent: true },
      schema: {
        tags: ['privacy'],
        summary: 'Before closing the account: what still blocks it, and the (masked) number the code goes to',
        response: { 200: ClosurePreview, 401: Problem, 403: Problem },
      },
    },
    async (req) => closurePreview(deps(), req.ctx),
  );

  app.post(
    '/me/closure/code',
    {
      config: { permission: 'resident', withoutConsent: true },
      schema: {
        tags: ['privacy'],
        summary: 'Send the code that confirms closing the account to the account’s own number',
        response: { 200: OtpSent, 401: Problem, 403: Problem, 409: Problem, 429: Problem, 503: Problem },
      },
    },
    async (req) => sendClosureCode(deps(), req.ctx),
  );

  app.post(
    '/me/closure',
    {
      config: { permission: 'resident', withoutConsent: true },
      schema: {
        tags: ['privacy'],
        summary: 'Close (注销) my account: personal fields erased, records the community keeps pseudonymised',
        body: ClosureConfirm,
        response: { 204: NoContent, 400: Problem, 401: Problem, 403: Problem, 409: Problem },
      },
    },
    async (req, reply) => {
      const { deleteFiles } = await closeMyAccount(deps(), req.ctx, req.body.code);
      clearSessionCookies(reply);
      // The rows say the files are gone; a file that cannot be removed now is logged for cleanup.
      await removeStoredFiles(app.config.dataDir, deleteFiles).catch((err) =>
        req.log.error({ err, files: deleteFiles.length }, 'closed account: stored files not removed'),
      );
      return reply.code(204).send(null);
    },
  );
}
