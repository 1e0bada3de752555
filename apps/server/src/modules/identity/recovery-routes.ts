import { Problem, RecoveryCodes, RecoveryCodeStatus, RecoveryCodesRegenerate } from '@linli/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { authDeps, getRecoveryCodeStatus, regenerateRecoveryCodes } from './auth-service';

/** Staff one-time recovery codes (the sign-in step accepts one in place of a TOTP code). */
export async function recoveryCodeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = authDeps(app);

  app.get(
    '/me/recovery-codes',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['me'],
        summary: 'How many one-time recovery codes this account has left (never the codes)',
        response: { 200: RecoveryCodeStatus, 401: Problem, 403: Problem },
      },
    },
    async (req) => getRecoveryCodeStatus(deps, req.ctx),
  );

  app.post(
    '/me/recovery-codes',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['me'],
        summary:
          'A new set of ten recovery codes, shown once; the old set stops working (needs the password)',
        body: RecoveryCodesRegenerate,
        response: {
          200: RecoveryCodes,
          400: Problem,
          401: Problem,
          403: Problem,
          409: Problem,
          429: Problem,
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return regenerateRecoveryCodes(deps, req.ctx, req.body.password);
    },
  );
}
