/**
 * A fixed pool of inference workers (worker_threads), each with its own onnxruntime session, so
 * inference never blocks the event loop that answers /health and /metrics. The pool runs one job
 * per worker at a time; the batcher in front of it decides how many jobs are in flight.
 *
 * Sizing: one worker per available core by default, and onnxruntime's intra-op threads chosen so
 * that workers × threads does not exceed the cores (no oversubscription).
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, STARTUP_ERROR_CODES, ServerError, StartupError, type StartupErrorCode } from '../errors.js';
import type { FromWorker, InferenceBackend, Job, JobResult, ToWorker, WorkerInit } from './jobs.js';
import type { GraphInfo } from './graph.js';

export interface PoolOptions {
  modelPath: string;
  /** Workers; 0 = one per available core. */
  workers: number;
  /** onnxruntime intra-op threads per worker; 0 = cores / workers (at least 1). */
  intraOpThreads: number;
  /** Told when a worker dies and is replaced (with the worker's uncaught error, if any). */
  onWorkerExit?: (info: { index: number; exitCode: number; error?: Error }) => void;
  /** A different worker script speaking the same protocol (tests); default: worker.ts/js. */
  workerScript?: URL;
}

export interface PoolSizing {
  workers: number;
  intraOpThreads: number;
}

export function poolSizing(options: Pick<PoolOptions, 'workers' | 'intraOpThreads'>, cores = availableParallelism()): PoolSizing {
  const workers = options.workers > 0 ? options.workers : Math.max(1, cores);
  const intraOpThreads = options.intraOpThreads > 0 ? options.intraOpThreads : Math.max(1, Math.floor(cores / workers));
  return { workers, intraOpThreads };
}

interface Task {
  job: Job;
  resolve: (result: JobResult) => void;
  reject: (error: unknown) => void;
}

/** Starts the worker script; from TypeScript sources (tests, `tsx watch`) through tsx's loader. */
function spawnWorker(init: WorkerInit, script?: URL): Worker {
  if (script !== undefined) return new Worker(script, { workerData: init });
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** One worker and the jobs waiting for it. */
class Slot {
  private readonly queue: Task[] = [];
  private current: { id: number; task: Task } | undefined;
  private nextId = 1;
  private closing = false;
  private exited = false;

  constructor(
    readonly worker: Worker,
    private readonly onCrash: (exitCode: number, error: Error | undefined) => void,
  ) {
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    let uncaught: Error | undefined;
    // an uncaught exception in the worker: 'exit' follows, where the jobs fail and it is reported
    worker.on('error', (error) => (uncaught = error));
    worker.on('exit', (exitCode) => {
      this.exited = true;
      this.failAll(new ServerError(ERROR_CODES.INFERENCE_FAILED, `inference worker exited with code ${exitCode}`));
      if (!this.closing) this.onCrash(exitCode, uncaught);
    });
  }

  get alive(): boolean {
    return !this.exited && !this.closing;
  }

  get load(): number {
    return this.queue.length + (this.current === undefined ? 0 : 1);
  }

  enqueue(task: Task): void {
    if (!this.alive) {
      task.reject(new ServerError(ERROR_CODES.INFERENCE_FAILED, 'inference worker is not running'));
      return;
    }
    this.queue.push(task);
    this.next();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.exited) return;
    const closed = new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'closed') void this.worker.terminate();
      });
    });
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    await closed;
  }

  private next(): void {
    if (this.current !== undefined || this.closing) return;
    const task = this.queue.shift();
    if (task === undefined) return;
    this.current = { id: this.nextId++, task };
    this.worker.postMessage({ type: 'run', id: this.current.id, job: task.job } satisfies ToWorker);
  }

  private onMessage(message: FromWorker): void {
    if ((message.type !== 'result' && message.type !== 'error') || message.id !== this.current?.id) return;
    const { task } = this.current;
    this.current = undefined;
    if (message.type === 'result') task.resolve(message.result);
    else task.reject(new ServerError(ERROR_CODES.INFERENCE_FAILED, `inference failed: ${message.message}`));
    this.next();
  }

  private failAll(error: ServerError): void {
    const tasks = [...(this.current ? [this.current.task] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const task of tasks) task.reject(error);
  }
}

/** Spawns a worker and waits until its session is loaded. */
function startWorker(init: WorkerInit, script?: URL): Promise<{ worker: Worker; graph: GraphInfo }> {
  return new Promise((resolve, reject) => {
    const worker = spawnWorker(init, script);
    const fail = (code: StartupErrorCode, message: string, cause?: unknown): void => {
      void worker.terminate();
      reject(new StartupError(code, message, { cause }));
    };
    worker.once('message', (message: FromWorker) => {
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      if (message.type === 'ready') resolve({ worker, graph: message.graph });
      else if (message.type === 'init-error') fail(message.code as StartupErrorCode, message.message);
      else fail(STARTUP_ERROR_CODES.WORKER_FAILED, `unexpected first message from worker: ${message.type}`);
    });
    worker.once('error', (error) => fail(STARTUP_ERROR_CODES.WORKER_FAILED, `inference worker failed: ${error.message}`, error));
    worker.once('exit', (code) => fail(STARTUP_ERROR_CODES.WORKER_FAILED, `inference worker exited early (${code})`));
  });
}

export interface WorkerPool extends InferenceBackend {
  readonly sizing: PoolSizing;
}

export async function createWorkerPool(options: PoolOptions): Promise<WorkerPool> {
  const sizing = poolSizing(options);
  const init: WorkerInit = { modelPath: options.modelPath, intraOpThreads: sizing.intraOpThreads };
  const started = await Promise.allSettled(Array.from({ length: sizing.workers }, () => startWorker(init, options.workerScript)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (failed !== undefined) {
    await Promise.all(ok.map((s) => s.worker.terminate()));
    throw failed.reason;
  }
  return new Pool(options, init, sizing, ok);
}

class Pool implements WorkerPool {
  readonly graph: GraphInfo;
  private readonly slots: Slot[];
  private closed = false;

  constructor(
    private readonly options: PoolOptions,
    private readonly init: WorkerInit,
    readonly sizing: PoolSizing,
    started: { worker: Worker; graph: GraphInfo }[],
  ) {
    this.graph = (started[0] as { graph: GraphInfo }).graph;
    this.slots = started.map(({ worker }, index) => this.makeSlot(worker, index));
  }

  get size(): number {
    return this.slots.length;
  }

  run(job: Job): Promise<JobResult> {
    if (this.closed) return Promise.reject(new ServerError(ERROR_CODES.SHUTTING_DOWN, 'worker pool is closed'));
    const alive = this.slots.filter((s) => s.alive);
    if (alive.length === 0) {
      return Promise.reject(new ServerError(ERROR_CODES.INFERENCE_FAILED, 'no inference worker is running'));
    }
    const slot = alive.reduce((best, s) => (s.load < best.load ? s : best));
    return new Promise((resolve, reject) => slot.enqueue({ job, resolve, reject }));
  }

  runOnAll(job: Job): Promise<JobResult[]> {
    return Promise.all(this.slots.map((slot) => new Promise<JobResult>((resolve, reject) => slot.enqueue({ job, resolve, reject }))));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.close()));
  }

  private makeSlot(worker: Worker, index: number): Slot {
    return new Slot(worker, (exitCode, error) => this.replace(index, exitCode, error));
  }

  /** A crashed worker's jobs have failed; start a fresh worker in its place. */
  private replace(index: number, exitCode: number, error: Error | undefined): void {
    this.options.onWorkerExit?.({ index, exitCode, ...(error ? { error } : {}) });
    if (this.closed) return;
    startWorker(this.init, this.options.workerScript).then(
      ({ worker }) => {
        if (this.closed) void worker.terminate();
        else this.slots[index] = this.makeSlot(worker, index);
      },
      (startError: unknown) =>
        this.options.onWorkerExit?.({
          index,
          exitCode: -1,
          error: startError instanceof Error ? startError : new Error(String(startError)),
        }),
    );
  }
}
