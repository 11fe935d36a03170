/**
 * buildApp(deps) → a Fastify instance with every plugin and route, not listening.
 * main.ts owns the process (config, logger, listen, signals); tests use inject() or listen(0).
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { InferenceBackend } from './model/jobs.js';
import errorsPlugin, { clientErrorHandler, frameworkErrors } from './plugins/errors.js';
import inferencePlugin from './plugins/inference.js';
import lifecyclePlugin from './plugins/lifecycle.js';
import metricsPlugin from './plugins/metrics.js';
import requestContextPlugin, { type AccessLogDestination } from './plugins/request-context.js';
import serverIdPlugin from './plugins/server-id.js';
import swaggerPlugin from './plugins/swagger.js';
import benchEchoRoutes from './routes/bench-echo.js';
import healthRoutes from './routes/health.js';
import metricsRoutes from './routes/metrics.js';
import predictRoutes from './routes/predict.js';
import v2Routes from './routes/v2.js';
import { REQUEST_ID_HEADER, requestIdFor } from './trace-context.js';
import { SERVER_VERSION } from './version.js';

export interface AppDeps {
  config: AppConfig;
  /** A pino logger (main.ts); default: Fastify's logger at config.logLevel. */
  logger?: Logger;
  /**
   * Ready-made inference backend, or one still starting (main.ts spawns the workers before it
   * builds the app); default: a worker pool on the configured model.
   */
  backend?: InferenceBackend | Promise<InferenceBackend>;
  /** Where ACCESS_LOG lines go (main.ts: buffered stdout); default: through `logger`, unbuffered. */
  accessLog?: AccessLogDestination;
  /** The warm-up inference starts only once this resolves (tests observe the loading state). */
  warmupGate?: Promise<unknown>;
}

function fastifyOptions(deps: AppDeps): FastifyServerOptions {
  return {
    bodyLimit: deps.config.bodyLimit,
    // Fastify's own two lines per request are off; ACCESS_LOG=on writes one (request-context.ts)
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    genReqId: (req) => requestIdFor(req.headers[REQUEST_ID_HEADER]),
    // lifecycle.ts answers requests that arrive during close() itself
    return503OnClosing: false,
    pluginTimeout: 120_000,
    // a client that never finishes sending its request gets 408 instead of holding a socket forever
    requestTimeout: 60_000,
    frameworkErrors: frameworkErrors(deps.config.serverId),
    // node:http's parser errors (400/431/408) in the JSON error format, with a stable code
    clientErrorHandler: clientErrorHandler(deps.config.serverId),
    // validateSchema: off — the route schemas are this package's own (tested); checking them
    // against the JSON Schema meta-schema made ajv compile that meta-schema at every start
    // (~30 ms of CPU, a third of the schema work; measured with --cpu-prof, README "Start-up")
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false, validateSchema: false } },
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: { level: deps.config.logLevel } }),
  } as FastifyServerOptions;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions(deps)) as unknown as FastifyInstance;
  await app.register(requestContextPlugin, {
    accessLog: deps.config.accessLog,
    ...(deps.accessLog ? { destination: deps.accessLog } : {}),
  });
  await app.register(serverIdPlugin, { serverId: deps.config.serverId });
  // before lifecycle: its onRequest hook refuses requests while closing, and those still count
  await app.register(metricsPlugin);
  await app.register(lifecyclePlugin);
  await app.register(errorsPlugin);
  await app.register(swaggerPlugin, { version: SERVER_VERSION, ui: deps.config.docs });
  await app.register(healthRoutes);
  await app.register(predictRoutes, { limits: deps.config.limits });
  if (deps.config.benchEcho) await app.register(benchEchoRoutes, { limits: deps.config.limits });
  await app.register(metricsRoutes);
  await app.register(v2Routes, { prefix: '/v2', serverVersion: SERVER_VERSION, limits: deps.config.limits });
  // Last, so that everything above is set up while a backend handed in as a promise starts.
  // Routes only touch app.inference when they handle a request, after ready().
  await app.register(inferencePlugin, {
    config: deps.config,
    ...(deps.backend ? { backend: deps.backend } : {}),
    ...(deps.warmupGate ? { warmupGate: deps.warmupGate } : {}),
  });
  return app;
}
