/**
 * The OpenAPI document built from the route schemas, at GET /docs/json, and Swagger UI at /docs
 * (`@fastify/swagger-ui`, whose assets ship in the package: no CDN, works offline); DOCS=off
 * keeps only the document. The v2 infer examples are filled in from the model actually served
 * (its name, and an input of the right name, datatype and shape), so "Try it out" runs as is.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { inferExample } from '../model/examples.js';

type OpenApiDoc = Record<string, unknown>;

interface Operation {
  parameters?: { name: string; in: string; example?: unknown }[];
  requestBody?: { content?: Record<string, { examples?: Record<string, unknown> }> };
}

/** Adds the served model's name and a runnable request to every v2 infer operation. */
function withServedModel(doc: OpenApiDoc, app: FastifyInstance): OpenApiDoc {
  const { model } = app.inference;
  const example = inferExample(model);
  for (const [path, item] of Object.entries((doc as { paths?: Record<string, Record<string, Operation>> }).paths ?? {})) {
    if (!path.startsWith('/v2/models/{name}')) continue;
    for (const operation of Object.values(item)) {
      for (const param of operation.parameters ?? []) {
        if (param.in === 'path' && param.name === 'name') param.example = model.name;
        if (param.in === 'path' && param.name === 'version') param.example = model.version;
      }
      const json = operation.requestBody?.content?.['application/json'];
      if (json && path.endsWith('/infer')) json.examples = { [model.name]: { summary: `a request for ${model.name}`, value: example } };
    }
  }
  return doc;
}

export default fp(
  async (app, { version, ui }: { version: string; ui: boolean }) => {
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
    if (ui) {
      await app.register(swaggerUi, {
        routePrefix: '/docs',
        uiConfig: { tryItOutEnabled: true, displayRequestDuration: true },
        transformSpecification: (doc) => withServedModel(doc as OpenApiDoc, app),
        // the document is cloned per request (transformSpecificationClone defaults to true)
      });
    } else {
      app.get('/docs/json', { schema: { hide: true } }, async () => withServedModel(structuredClone(app.swagger()) as OpenApiDoc, app));
    }
  },
  { name: 'swagger', fastify: '5.x' },
);
