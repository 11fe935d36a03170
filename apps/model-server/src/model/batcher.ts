/**
 * Dynamic batcher in the manner of Triton's dynamic_batching: requests wait in one bounded queue;
 * a batch is dispatched to a free executor as soon as `maxBatchSize` rows of one kind are waiting,
 * or once the oldest request has waited `maxQueueDelayMs`. While every executor is busy the queue
 * keeps growing (up to `maxQueueSize` requests), so batches get larger exactly when load is high.
 * Past the bound `submit` rejects with QUEUE_FULL instead of queueing without limit.
 *
 * Requests are never split: a request with more rows than `maxBatchSize` forms a batch of its own.
 * Only requests with the same `key` (e.g. same trailing tensor shape) are merged.
 */
import { ERROR_CODES, ServerError } from '../errors.js';

export interface BatchDispatch {
  readonly key: string;
  readonly rows: number;
  readonly requests: number;
  /** How long each request of the batch waited in the queue, in ms. */
  readonly queueWaitsMs: readonly number[];
}

export interface BatchObserver {
  onDispatch?(batch: BatchDispatch): void;
  onComplete?(batch: BatchDispatch & { durationMs: number; ok: boolean }): void;
  onDepth?(queuedRequests: number): void;
}

export interface BatcherOptions<I, O> {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueueSize: number;
  /** Batches allowed in flight at once (one per worker). */
  concurrency: number;
  /** Runs one batch; must resolve with one output per input, in order. */
  run: (key: string, inputs: I[]) => Promise<O[]>;
  now?: () => number;
  observer?: BatchObserver;
}

export interface SubmitOptions {
  key: string;
  rows: number;
}

export interface Batcher<I, O> {
  submit(input: I, options: SubmitOptions): Promise<O>;
  /** Requests waiting in the queue. */
  readonly depth: number;
  /** Batches currently running. */
  readonly inFlight: number;
  /** Stop waiting for fuller batches, run what is queued, resolve when nothing is queued or running. */
  drain(): Promise<void>;
  /** Refuse new requests (SHUTTING_DOWN) and clear the delay timer; queued work still runs. */
  close(): void;
}

interface Pending<I, O> {
  input: I;
  key: string;
  rows: number;
  enqueuedAt: number;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  validateOptions(options);
  return new DynamicBatcher(options);
}

function validateOptions(options: Pick<BatcherOptions<never, never>, 'maxBatchSize' | 'maxQueueDelayMs' | 'maxQueueSize' | 'concurrency'>): void {
  const { maxBatchSize, maxQueueDelayMs, maxQueueSize, concurrency } = options;
  if (!(maxBatchSize >= 1) || !(maxQueueSize >= 1) || !(concurrency >= 1) || !(maxQueueDelayMs >= 0)) {
    throw new RangeError(
      `invalid batcher options: maxBatchSize=${maxBatchSize} maxQueueSize=${maxQueueSize} ` +
        `concurrency=${concurrency} maxQueueDelayMs=${maxQueueDelayMs}`,
    );
  }
}

class DynamicBatcher<I, O> implements Batcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private readonly rowsByKey = new Map<string, number>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private flushing = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: BatcherOptions<I, O>) {
    this.now = options.now ?? (() => performance.now());
  }

  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.running;
  }

  submit(input: I, { key, rows }: SubmitOptions): Promise<O> {
    if (this.closed) {
      return Promise.reject(new ServerError(ERROR_CODES.SHUTTING_DOWN, 'server is shutting down'));
    }
    if (this.queue.length >= this.options.maxQueueSize) {
      return Promise.reject(
        new ServerError(ERROR_CODES.QUEUE_FULL, `inference queue is full (${this.options.maxQueueSize} requests)`),
      );
    }
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, key, rows, enqueuedAt: this.now(), resolve, reject });
      this.rowsByKey.set(key, (this.rowsByKey.get(key) ?? 0) + rows);
      this.options.observer?.onDepth?.(this.queue.length);
      this.pump();
    });
  }

  drain(): Promise<void> {
    this.flushing = true;
    this.pump();
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.flushing = true;
    this.pump();
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const head = this.queue[0] as Pending<I, O>;
      const waited = this.now() - head.enqueuedAt;
      const full = (this.rowsByKey.get(head.key) ?? 0) >= this.options.maxBatchSize;
      if (!this.flushing && !full && waited < this.options.maxQueueDelayMs) {
        this.armTimer(this.options.maxQueueDelayMs - waited);
        return;
      }
      this.dispatch(this.take(head.key));
    }
    if (this.queue.length === 0) this.clearTimer();
    this.notifyIdle();
  }

  /** Removes from the queue, oldest first, the requests of `key` that fit into one batch. */
  private take(key: string): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length; ) {
      const item = this.queue[i] as Pending<I, O>;
      const fits = batch.length === 0 || rows + item.rows <= this.options.maxBatchSize;
      if (item.key !== key || !fits) {
        i += 1;
        continue;
      }
      batch.push(item);
      rows += item.rows;
      this.queue.splice(i, 1);
      if (rows >= this.options.maxBatchSize) break;
    }
    const left = (this.rowsByKey.get(key) ?? 0) - rows;
    if (left > 0) this.rowsByKey.set(key, left);
    else this.rowsByKey.delete(key);
    this.options.observer?.onDepth?.(this.queue.length);
    return batch;
  }

  private dispatch(batch: Pending<I, O>[]): void {
    const start = this.now();
    const info: BatchDispatch = {
      key: (batch[0] as Pending<I, O>).key,
      rows: batch.reduce((sum, item) => sum + item.rows, 0),
      requests: batch.length,
      queueWaitsMs: batch.map((item) => start - item.enqueuedAt),
    };
    this.running += 1;
    this.options.observer?.onDispatch?.(info);
    this.invoke(info.key, batch.map((item) => item.input))
      .then(
        (outputs) => {
          settle(batch, outputs);
          return true;
        },
        (error: unknown) => {
          for (const item of batch) item.reject(error);
          return false;
        },
      )
      .then((ok) => {
        this.running -= 1;
        this.options.observer?.onComplete?.({ ...info, durationMs: this.now() - start, ok });
        this.pump();
      });
  }

  private async invoke(key: string, inputs: I[]): Promise<O[]> {
    return this.options.run(key, inputs);
  }

  private armTimer(delayMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(0, delayMs));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.running > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function settle<I, O>(batch: Pending<I, O>[], outputs: O[]): void {
  if (outputs.length !== batch.length) {
    const error = new ServerError(
      ERROR_CODES.INTERNAL,
      `batch produced ${outputs.length} outputs for ${batch.length} requests`,
    );
    for (const item of batch) item.reject(error);
    return;
  }
  batch.forEach((item, index) => item.resolve(outputs[index] as O));
}
