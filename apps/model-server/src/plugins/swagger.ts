/**
 * The OpenAPI document built from the route schemas, at GET /docs/json, and Swagger UI at /docs
 * (`@fastify/swagger-ui`, whose assets ship in the package: no CDN, works offline); DOCS=off
 * keeps only the document. The v2 infer examples are filled in from the model actually served
 * (its name, and an input of the right name, datatype and shape), so "Try it out" runs as is.
 *
 * Loaded lazily: start-up only records each route's method, URL and schema; the first request
 * to /docs builds the documentation app (docs-app.ts), to which /docs requests are then handed
 * with inject(). A replica that is never asked for its docs never loads those packages.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { inferExample } from '../model/examples.js';
import type { DocumentedRoute } from './docs-app.js';

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

/** Headers of the documentation app's answer that the main app's reply sets itself. */
const HOP_HEADERS = new Set(['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'date']);

async function forward(docs: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // GET also for a HEAD request: the main app's HEAD route drops the body (the docs app has no HEAD routes of its own)
  const res = await docs.inject({ method: 'GET', url: request.url, headers: request.headers });
  if (res.statusCode === 404) return reply.callNotFound() as unknown as FastifyReply;
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined && !HOP_HEADERS.has(name)) void reply.header(name, value);
  }
  return reply.code(res.statusCode).send(res.rawPayload);
}

export default fp(
  async (app, { version, ui }: { version: string; ui: boolean }) => {
    // The options objects themselves, read when the docs are built, as @fastify/swagger does:
    // Fastify changes one after its onRoute hooks (a prefix's '/' route ends up as '/v2/').
    const routes: DocumentedRoute[] = [];
    app.addHook('onRoute', (route) => void routes.push(route));
    let docsApp: Promise<FastifyInstance> | undefined;
    let built: FastifyInstance | undefined;
    const docs = (): Promise<FastifyInstance> => {
      docsApp ??= import('./docs-app.js')
        .then(({ buildDocsApp }) => buildDocsApp({ version, ui, routes, transform: (doc) => withServedModel(doc, app) }))
        .then(
          (instance) => (built = instance),
          (error: unknown) => {
            docsApp = undefined; // this request gets the error; the next one tries again
            throw error;
          },
        );
      return docsApp;
    };
    app.addHook('onClose', async () => {
      await built?.close();
    });
    const hidden = { schema: { hide: true } };
    if (ui) {
      app.get('/docs', hidden, async (request, reply) => forward(await docs(), request, reply));
      app.get('/docs/*', hidden, async (request, reply) => forward(await docs(), request, reply));
    } else {
      app.get('/docs/json', hidden, async () => withServedModel(structuredClone((await docs()).swagger()) as OpenApiDoc, app));
    }
  },
  { name: 'swagger', fastify: '5.x' },
);
