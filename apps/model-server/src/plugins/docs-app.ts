/**
 * The documentation app, built on the first request to /docs (see swagger.ts): a bare Fastify
 * instance with `@fastify/swagger` (and `@fastify/swagger-ui`) over the main app's routes,
 * replayed from what the main app recorded. Nothing in it runs at replica start-up: these
 * packages (with `yaml`, `@fastify/static`, `send`, …, about 130 modules) are loaded only here.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

/** The parts of a route the OpenAPI document is built from. */
export type DocumentedRoute = Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>;

export interface DocsAppOptions {
  version: string;
  ui: boolean;
  routes: readonly DocumentedRoute[];
  /** Called on the document before it is served (the served model's example). */
  transform: (doc: Record<string, unknown>) => Record<string, unknown>;
}

const OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'fleet model-server',
    description: 'ONNX inference replica: /predict for the reference text model, Open Inference Protocol v2 for any model',
  },
  tags: [
    { name: 'inference', description: 'Predictions' },
    { name: 'health', description: 'Liveness and readiness probes' },
    { name: 'v2', description: 'Open Inference Protocol v2 (KServe / Triton REST)' },
    { name: 'ops', description: 'Metrics and documentation' },
  ],
};

const unused = async () => undefined;

export async function buildDocsApp({ version, ui, routes, transform }: DocsAppOptions): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  // HEAD routes come replayed like the rest; the schemas only describe (nothing is validated here)
  const docs = Fastify({ logger: false, exposeHeadRoutes: false });
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await docs.register(swagger, { openapi: { ...OPENAPI, info: { ...OPENAPI.info, version } } });
  for (const { method, url, schema, config } of routes) {
    if (!(schema as { hide?: boolean } | undefined)?.hide) docs.route({ method, url, schema, config, handler: unused });
  }
  if (ui) {
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { tryItOutEnabled: true, displayRequestDuration: true },
      transformSpecification: (doc) => transform(doc as Record<string, unknown>),
      // the document is cloned per request (transformSpecificationClone defaults to true)
    });
  }
  await docs.ready();
  return docs;
}
