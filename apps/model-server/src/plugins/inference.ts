/**
 * Loads the model (a worker pool, unless the caller hands in a backend), wires the batcher to
 * the metrics, and runs the warm-up inference in the background: readiness flips to ready only
 * when it produced the expected output. Plugin registration waits for the model to load, so a
 * missing or broken file fails `app.ready()` (and the process) before anything listens.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AppConfig } from '../config.js';
import type { InferenceBackend } from '../model/jobs.js';
import { loadModel, logWorkerExit, resolveModelPath } from '../model/load.js';
import { createRuntime, type InferenceRuntime } from '../model/runtime.js';
import { describeServedModel } from '../model/served-model.js';

declare module 'fastify' {
  interface FastifyInstance {
    inference: InferenceRuntime;
    /** Resolves once the warm-up inference succeeded; rejects with its error (WARMUP_FAILED…). */
    whenReady(): Promise<void>;
  }
}

export interface InferencePluginOptions {
  config: AppConfig;
  /** Ready-made (or starting) backend; default: a worker pool on config.modelPath. */
  backend?: InferenceBackend | Promise<InferenceBackend>;
  /** Warm-up starts only after this resolves (tests use it to observe the loading state). */
  warmupGate?: Promise<unknown>;
}

async function loadBackend(app: FastifyInstance, config: AppConfig): Promise<InferenceBackend> {
  const spawned = () => app.log.info('a batch is too long for the event loop: starting an inference worker');
  const pool = await loadModel(config, logWorkerExit(() => app.log), spawned);
  app.log.info({ modelPath: resolveModelPath(config), ...pool.sizing }, 'model loaded');
  return pool;
}

function observeRuntime(app: FastifyInstance): Parameters<typeof createRuntime>[0]['hooks'] {
  const { metrics } = app;
  return {
    // queue depth and batches in flight are read from the runtime when /metrics is scraped
    // (routes/metrics.ts), not set on every request and batch
    batch: {
      onDispatch: (batch) => {
        metrics.batchSize.observe(batch.rows);
        for (const ms of batch.queueWaitsMs) metrics.queueTime.observe(ms / 1000);
      },
    },
    onInference: (ms) => metrics.inferenceTime.observe(ms / 1000),
  };
}

async function inferencePlugin(app: FastifyInstance, options: InferencePluginOptions): Promise<void> {
  const { config } = options;
  const backend = await (options.backend ?? loadBackend(app, config));
  const model = describeServedModel(backend.graph, { modelPath: resolveModelPath(config), name: config.modelName });
  const runtime = createRuntime({ backend, model, batching: config.batching, hooks: observeRuntime(app) });
  app.decorate('inference', runtime);
  app.metrics.maxQueueSize.set(config.batching.maxQueueSize);
  app.metrics.modelInfo.set({ name: model.name, version: model.version, kind: model.kind, server_id: app.serverId }, 1);

  const warmedUp = (async () => {
    await options.warmupGate;
    await runtime.warmup();
    app.lifecycle.markReady();
    app.metrics.ready.set(app.lifecycle.ready ? 1 : 0);
    app.log.info({ model: model.name, version: model.version }, 'warm-up inference passed');
  })();
  warmedUp.catch((error: unknown) => {
    app.lifecycle.markFailed(error instanceof Error ? error.message : String(error));
    app.log.error({ err: error }, 'warm-up inference failed');
  });
  app.decorate('whenReady', () => warmedUp);
  // Shutting down: queued requests run now instead of waiting for fuller batches, so the
  // in-flight HTTP requests that close() waits for can finish.
  app.addHook('preClose', async () => {
    void runtime.flush();
  });
  app.addHook('onClose', async () => {
    app.metrics.ready.set(0);
    await runtime.close();
  });
}

export default fp(inferencePlugin, { name: 'inference', fastify: '5.x', dependencies: ['lifecycle', 'metrics', 'server-id'] });
