/** OpenAPI document built from the route schemas, served at GET /docs/json. */
import swagger from '@fastify/swagger';
import fp from 'fastify-plugin';

export default fp(
  async (app, { version }: { version: string }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'fleet model-server',
          description: 'ONNX inference replica: /predict for the reference text model, Open Inference Protocol v2 for any model',
          version,
        },
        tags: [
          { name: 'inference', description: 'Predictions' },
          { name: 'health', description: 'Liveness and readiness probes' },
          { name: 'v2', description: 'Open Inference Protocol v2 (KServe / Triton REST)' },
          { name: 'ops', description: 'Metrics and documentation' },
        ],
      },
    });
    app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'swagger', fastify: '5.x' },
);
