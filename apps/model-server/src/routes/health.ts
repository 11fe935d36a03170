/**
 * Probes. /health/live: the process is up and its event loop answers. /health/ready and
 * /health: 200 only after the warm-up inference passed, 503 while loading, draining or failed.
 */
import type { FastifyInstance } from 'fastify';

const healthResponse = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['live', 'ready', 'loading', 'draining', 'failed'] },
    server_id: { type: 'string' },
    model: {
      type: 'object',
      properties: { name: { type: 'string' }, version: { type: 'string' } },
    },
  },
  required: ['status', 'server_id'],
} as const;

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  const schema = { tags: ['health'], response: { 200: healthResponse, 503: healthResponse } };

  app.get('/health/live', { schema: { ...schema, summary: 'Liveness: the process answers' } }, async () => ({
    status: 'live',
  }));

  const readiness = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const { state } = app.lifecycle;
    const model = { name: app.inference.model.name, version: app.inference.model.version };
    return reply.status(state === 'ready' ? 200 : 503).send({ status: state, model });
  };
  app.get('/health/ready', { schema: { ...schema, summary: 'Readiness: warmed up and not draining' } }, readiness);
  app.get('/health', { schema: { ...schema, summary: 'Same as /health/ready' } }, readiness);
}
