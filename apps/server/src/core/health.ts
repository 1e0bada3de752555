import type { FastifyInstance } from 'fastify';
import { sendProblem } from './errors';
import { migrationStatus } from './db/migrate';

/** `/healthz`: the process is alive. `/readyz`: the database answers and every migration is applied. */
export async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (req, reply) => {
    try {
      const { expected, applied } = await migrationStatus(app.database);
      if (applied < expected) {
        return sendProblem(
          req,
          reply,
          503,
          'unavailable',
          `Migrations pending: ${applied} of ${expected} applied.`,
        );
      }
      return { status: 'ready', database: app.database.kind, migrations: applied };
    } catch (err) {
      req.log.error({ err }, 'readiness check failed');
      return sendProblem(req, reply, 503, 'unavailable', 'The database is not reachable.');
    }
  });
}
