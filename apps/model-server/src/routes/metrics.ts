/** GET /metrics: Prometheus text format from this app's registry. */
import type { FastifyInstance } from 'fastify';

export default async function metricsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    const { registry, queueDepth, batchesInFlight } = app.metrics;
    queueDepth.set(app.inference.queueDepth);
    batchesInFlight.set(app.inference.batchesInFlight);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
