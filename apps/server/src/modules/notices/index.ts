import type { FastifyInstance } from 'fastify';

/** Module `notices`: community notices (社区公告) shown on the resident home page. Mounted under /api/v1. */
export async function noticesModule(_app: FastifyInstance) {}
