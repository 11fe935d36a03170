/**
 * Dynamic batcher in the manner of Triton's dynamic_batching: requests wait in one bounded queue.
 * With nothing running, a request is dispatched at once (no idle delay: a replica at concurrency
 * 1 answers in the time of one inference plus HTTP). While a batch runs, a free executor waits
 * for a fuller batch: it takes the queue as soon as `maxBatchSize` rows (or `maxBatchCells`
 * cells) of one kind are waiting, once the oldest request has waited `maxQueueDelayMs`, or when
 * the running batch completes. While every executor is busy the queue keeps growing (up to
 * `maxQueueSize` requests), so batches get larger exactly when load is high. Past the bound
 * `submit` rejects with QUEUE_FULL instead of queueing without limit.
 *
 * A request is one or more units (the runtime splits a large request into units that each fit a
 * batch); it counts once against `maxQueueSize`. A batch holds at most `maxBatchSize` rows and
 * at most `maxBatchCells` cells, counted as padded: rows × the widest unit's `width` (tokens of
 * the longest text, elements per row of a tensor). A unit larger than that forms a batch of its
 * own. Only units with the same `key` (e.g. same trailing tensor shape) are merged.
 */
import { ERROR_CODES, ServerError } from '../errors.js';

export interface BatchDispatch {
  readonly key: string;
  readonly rows: number;
  /** rows × the widest unit's width: what the batch costs once padded. */
  readonly cells: number;
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
  /** Padded cells per batch (default: unbounded). */
  maxBatchCells?: number;
  maxQueueDelayMs: number;
  maxQueueSize: number;
  /** Batches allowed in flight at once (one per worker). */
  concurrency: number;
  /** Runs one batch of `cells` padded cells; must resolve with one output per input, in order. */
  run: (key: string, inputs: I[], cells: number) => Promise<O[]>;
  /**
   * Asked right before a dispatch, with the cells of the batch about to leave (at most
   * `maxBatchCells`): false keeps it queued until a running batch completes (the executor
   * policy: a long batch waits for a worker instead of blocking the event loop), or until `wake`.
   */
  admit?: (cells: number) => boolean;
  now?: () => number;
  observer?: BatchObserver;
}

export interface SubmitOptions {
  key: string;
  rows: number;
  /** Cells per row once padded (default 1). */
  width?: number;
}

export interface Unit<I> extends SubmitOptions {
  input: I;
}

export interface Batcher<I, O> {
  submit(input: I, options: SubmitOptions): Promise<O>;
  /** Queues the units of one request (admitted or refused together); resolves with their outputs in order. */
  submitUnits(units: readonly Unit<I>[]): Promise<O[]>;
  /** Requests with work waiting in the queue. */
  readonly depth: number;
  /** Batches currently running. */
  readonly inFlight: number;
  /** Stop waiting for fuller batches, run what is queued, resolve when nothing is queued or running. */
  drain(): Promise<void>;
  /** Refuse new requests (SHUTTING_DOWN) and clear the delay timer; queued work still runs. */
  close(): void;
  /** Try to dispatch again: an executor `admit` refused may be available now. */
  wake(): void;
}

/** One request's count of units still in the queue. */
interface Request {
  queued: number;
}

interface Pending<I, O> {
  input: I;
  key: string;
  rows: number;
  width: number;
  request: Request;
  enqueuedAt: number;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  validateOptions(options);
  return new DynamicBatcher(options);
}

function validateOptions(
  options: Pick<BatcherOptions<never, never>, 'maxBatchSize' | 'maxQueueDelayMs' | 'maxQueueSize' | 'concurrency' | 'maxBatchCells'>,
): void {
  const { maxBatchSize, maxQueueDelayMs, maxQueueSize, concurrency, maxBatchCells = 1 } = options;
  if (!(maxBatchSize >= 1) || !(maxQueueSize >= 1) || !(concurrency >= 1) || !(maxQueueDelayMs >= 0) || !(maxBatchCells >= 1)) {
    throw new RangeError(
      `invalid batcher options: maxBatchSize=${maxBatchSize} maxQueueSize=${maxQueueSize} ` +
        `concurrency=${concurrency} maxQueueDelayMs=${maxQueueDelayMs} maxBatchCells=${maxBatchCells}`,
    );
  }
}

interface Waiting {
  rows: number;
  cells: number;
}

class DynamicBatcher<I, O> implements Batcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  /** Rows and (unpadded) cells waiting per key: the size trigger. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly maxBatchCells: number;
  private queuedRequests = 0;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private flushing = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: BatcherOptions<I, O>) {
    this.now = options.now ?? (() => performance.now());
    this.maxBatchCells = options.maxBatchCells ?? Number.POSITIVE_INFINITY;
  }

  get depth(): number {
    return this.queuedRequests;
  }

  get inFlight(): number {
    return this.running;
  }

  submit(input: I, options: SubmitOptions): Promise<O> {
    return this.submitOne(input, options, undefined);
  }

  submitUnits(units: readonly Unit<I>[]): Promise<O[]> {
    // one unit (a small `texts` request): the single-unit path, resolved with its one output
    if (units.length === 1) {
      const unit = units[0] as Unit<I>;
      return this.submitOne(unit.input, unit, (output) => [output]);
    }
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const request: Request = { queued: units.length };
    const enqueuedAt = this.now();
    const outputs = units.map(
      (unit) =>
        new Promise<O>((resolve, reject) => {
          this.enqueue(unit.input, unit.key, unit.rows, unit.width ?? 1, request, enqueuedAt, resolve, reject);
        }),
    );
    this.admitted();
    return Promise.all(outputs);
  }

  /**
   * A request of one unit (nearly every request): one promise, settled by the batch itself with
   * the output (or `wrap(output)`), no array of promises, no Promise.all, no extra `.then`.
   */
  private submitOne<T>(input: I, options: SubmitOptions, wrap: ((output: O) => T) | undefined): Promise<T> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const request: Request = { queued: 1 };
    const enqueuedAt = this.now();
    const output = new Promise<T>((resolve, reject) => {
      const settle = wrap === undefined ? (resolve as unknown as (value: O) => void) : (value: O) => resolve(wrap(value));
      this.enqueue(input, options.key, options.rows, options.width ?? 1, request, enqueuedAt, settle, reject);
    });
    this.admitted();
    return output;
  }

  /** SHUTTING_DOWN once closed, QUEUE_FULL at maxQueueSize requests, else nothing. */
  private refusal(): ServerError | undefined {
    if (this.closed) return new ServerError(ERROR_CODES.SHUTTING_DOWN, 'server is shutting down');
    if (this.queuedRequests >= this.options.maxQueueSize) {
      return new ServerError(ERROR_CODES.QUEUE_FULL, `inference queue is full (${this.options.maxQueueSize} requests)`);
    }
    return undefined;
  }

  private enqueue(
    input: I,
    key: string,
    rows: number,
    width: number,
    request: Request,
    enqueuedAt: number,
    resolve: (value: O) => void,
    reject: (error: unknown) => void,
  ): void {
    this.queue.push({ input, key, rows, width, request, enqueuedAt, resolve, reject });
    const waiting = this.waiting.get(key);
    if (waiting === undefined) this.waiting.set(key, { rows, cells: rows * width });
    else {
      waiting.rows += rows;
      waiting.cells += rows * width;
    }
  }

  /** A request's units are queued: count it once, report the depth, dispatch what can go. */
  private admitted(): void {
    this.queuedRequests += 1;
    this.options.observer?.onDepth?.(this.queuedRequests);
    this.pump();
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

  wake(): void {
    this.pump();
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const head = this.queue[0] as Pending<I, O>;
      const waited = this.now() - head.enqueuedAt;
      const waiting = this.waiting.get(head.key);
      const full = waiting !== undefined && (waiting.rows >= this.options.maxBatchSize || waiting.cells >= this.maxBatchCells);
      // gather only while a batch runs (its completion pumps again); idle means dispatch now
      if (!this.flushing && !full && this.running > 0 && waited < this.options.maxQueueDelayMs) {
        this.armTimer(this.options.maxQueueDelayMs - waited);
        return;
      }
      if (this.options.admit && !this.options.admit(Math.min(waiting?.cells ?? 1, this.maxBatchCells))) break;
      this.dispatch(this.take(head.key));
    }
    // Stryker disable next-line ConditionalExpression: with work left the loop stopped at full concurrency or a refused admit, where only a completion or wake can dispatch; the timer's pump would gather again
    if (this.queue.length === 0) this.clearTimer();
    this.notifyIdle();
  }

  /** Removes from the queue, oldest first, the units of `key` that fit into one batch. */
  private take(key: string): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    let rows = 0;
    let width = 0;
    let cells = 0;
    for (let i = 0; i < this.queue.length; ) {
      const item = this.queue[i] as Pending<I, O>;
      if (item.key !== key || !this.fits(batch.length, rows, width, item)) {
        i += 1;
        continue;
      }
      batch.push(item);
      rows += item.rows;
      width = Math.max(width, item.width);
      cells += item.rows * item.width;
      this.queue.splice(i, 1);
      this.leaveQueue(item.request);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: fits() takes no unit once rows reach maxBatchSize; the break only ends the scan early
      if (rows >= this.options.maxBatchSize) break;
    }
    const waiting = this.waiting.get(key) ?? { rows: 0, cells: 0 };
    if (waiting.rows - rows > 0) this.waiting.set(key, { rows: waiting.rows - rows, cells: waiting.cells - cells });
    else this.waiting.delete(key);
    this.options.observer?.onDepth?.(this.queuedRequests);
    return batch;
  }

  /** A unit joins a batch when rows and padded cells stay within bounds; an empty batch takes any unit. */
  private fits(units: number, rows: number, width: number, item: Pending<I, O>): boolean {
    if (units === 0) return true;
    const total = rows + item.rows;
    return total <= this.options.maxBatchSize && total * Math.max(width, item.width) <= this.maxBatchCells;
  }

  private leaveQueue(request: Request): void {
    request.queued -= 1;
    if (request.queued === 0) this.queuedRequests -= 1;
  }

  private dispatch(batch: Pending<I, O>[]): void {
    const start = this.now();
    const rows = batch.reduce((sum, item) => sum + item.rows, 0);
    const info: BatchDispatch = {
      key: (batch[0] as Pending<I, O>).key,
      rows,
      cells: rows * batch.reduce((max, item) => Math.max(max, item.width), 0),
      requests: batch.length,
      queueWaitsMs: batch.map((item) => start - item.enqueuedAt),
    };
    this.running += 1;
    this.options.observer?.onDispatch?.(info);
    this.invoke(info.key, batch.map((item) => item.input), info.cells)
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

  private async invoke(key: string, inputs: I[], cells: number): Promise<O[]> {
    return this.options.run(key, inputs, cells);
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
    // Stryker disable next-line ConditionalExpression: clearTimeout(undefined) does nothing; the guard only skips the call
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
