/**
 * The replica process (loaded by main.ts): read the config once, load the model and warm it up, listen, and on
 * SIGTERM/SIGINT drain (readiness 503 at once, keep serving for drain.delayMs, finish in-flight
 * work up to drain.timeoutMs, close the workers) and exit 0.
 *
 * Start-up is ordered for speed: right after the config is read the inference workers are
 * spawned (they boot onnxruntime on their threads) and this thread's own session opens, while
 * this thread loads Fastify and the rest.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { loadModelServerConfig, type ModelServerConfig } from '@fleet/config/model-server';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { STARTUP_ERROR_CODES, StartupError } from './errors.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { loadModel, logWorkerExit, resolveModelPath } from './model/load.js';
import { accessLogDestination } from './plugins/request-context.js';
import type { Executors } from './model/executors.js';

function loadConfig(): ModelServerConfig {
  try {
    return loadModelServerConfig();
  } catch (error) {
    const issues = (error as { issues?: unknown }).issues;
    const line = { level: 60, time: Date.now(), msg: 'invalid configuration', code: (error as { code?: string }).code, issues };
    process.stderr.write(`${JSON.stringify(line)}\n${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT_CODES.CONFIG_INVALID);
  }
}

function startupExitCode(error: unknown): ExitCode {
  if (!(error instanceof StartupError)) return EXIT_CODES.START_FAILED;
  if (error.code === STARTUP_ERROR_CODES.WARMUP_FAILED) return EXIT_CODES.WARMUP_FAILED;
  return EXIT_CODES.MODEL_LOAD_FAILED;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * ACCESS_LOG lines on stdout through a SonicBoom buffer: written when 4 KiB collect, every second
 * (unref'd timer), when the app closes and at exit (pino's exit hook), instead of one
 * synchronous write per request (measured in the README).
 */
function bufferedAccessLog(pino: typeof import('pino').pino, level: string, base: Record<string, unknown>) {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 });
  return accessLogDestination(pino({ level, base }, stream), stream);
}

async function start(config: ModelServerConfig): Promise<{ app: FastifyInstance; logger: Logger }> {
  // workers boot on their threads while this one loads Fastify and pino
  const sink: { logger?: Logger } = {};
  const spawned = () => sink.logger?.info('a batch is too long for the event loop: starting an inference worker');
  const pool = settle(loadModel(config, logWorkerExit(() => sink.logger), spawned));
  const [{ pino }, { buildApp }] = await Promise.all([import('pino'), import('./app.js')]);
  const base = { pid: process.pid, serverId: config.serverId };
  const logger: Logger = pino({ level: config.logLevel, base });
  sink.logger = logger;
  const accessLog = config.accessLog ? bufferedAccessLog(pino, config.logLevel, base) : undefined;
  const backend = pool.then((loaded): Executors => {
    if (!loaded.ok) throw loaded.error;
    logger.info({ modelPath: resolveModelPath(config), ...loaded.value.sizing }, 'model loaded');
    return loaded.value;
  });
  // The inference plugin awaits it (and fails start-up with its error) only once the plugins
  // before it are registered; until then a failed load must not count as an unhandled rejection.
  backend.catch(() => undefined);
  const app = await buildApp({ config, logger, backend, ...(accessLog ? { accessLog } : {}) }).catch((error: unknown) => {
    throw Object.assign(error as Error, { logger });
  });
  try {
    await app.ready();
    await app.whenReady();
    await app.listen({ host: config.host, port: config.port, listenTextResolver: () => 'server socket open' });
    return { app, logger };
  } catch (error) {
    await app.close().catch((closeError: unknown) => logger.error({ err: closeError }, 'close after failed start'));
    throw Object.assign(error as Error, { logger });
  }
}

async function drain(app: FastifyInstance, config: ModelServerConfig, logger: Logger, signal: string): Promise<never> {
  app.lifecycle.startDrain();
  logger.info({ signal, delayMs: config.drain.delayMs, timeoutMs: config.drain.timeoutMs }, 'draining');
  await delay(config.drain.delayMs);
  const deadline = delay(config.drain.timeoutMs, 'timeout' as const, { ref: false });
  const outcome = await Promise.race([app.close().then(() => 'closed' as const), deadline]);
  if (outcome === 'closed') {
    logger.info({ signal }, 'drained; exiting');
    process.exit(EXIT_CODES.OK);
  }
  logger.error({ timeoutMs: config.drain.timeoutMs }, 'drain deadline exceeded; exiting with work unfinished');
  process.exit(EXIT_CODES.DRAIN_TIMEOUT);
}

/**
 * The first SIGTERM/SIGINT starts the drain. A repeat within a second is the same signal
 * delivered twice (a terminal's Ctrl-C reaches both pnpm and node, and pnpm forwards it) and is
 * ignored; a later one means "stop now".
 */
const DUPLICATE_SIGNAL_MS = 1000;

function handleSignals(app: FastifyInstance, config: ModelServerConfig, logger: Logger): void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstAt !== undefined) {
      if (performance.now() - firstAt < DUPLICATE_SIGNAL_MS) return;
      logger.warn({ signal }, 'second signal while draining; exiting now');
      process.exit(EXIT_CODES.FORCED);
    }
    firstAt = performance.now();
    void drain(app, config, logger, signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Start-up failed: log why (JSON, with the error code) and exit with the matching code. */
async function failStart(error: unknown): Promise<never> {
  const attached = (error as { logger?: Logger }).logger;
  const logger = attached ?? (await import('pino')).pino();
  const code = error instanceof StartupError ? error.code : 'START_FAILED';
  logger.fatal({ err: error, code }, error instanceof Error ? error.message : String(error));
  process.exit(startupExitCode(error));
}

async function main(): Promise<void> {
  const config = loadConfig();
  let started: { app: FastifyInstance; logger: Logger };
  try {
    started = await start(config);
  } catch (error) {
    return failStart(error);
  }
  const { app, logger } = started;
  handleSignals(app, config, logger);
  const { port } = app.server.address() as AddressInfo;
  logger.info({ port, host: config.host, startupMs: Math.round(performance.now()) }, 'listening');
}

void main();
