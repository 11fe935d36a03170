/**
 * The inference runtime: the dynamic batcher in front of the backend (worker pool), batch
 * assembly (texts concatenated, tensors stacked along the first dimension) and the split of
 * the outputs back to each request, plus the warm-up inference that gates readiness.
 */
import { WARMUP } from '@fleet/model';
import { STARTUP_ERROR_CODES, StartupError } from '../errors.js';
import { createBatcher, type Batcher, type BatchObserver, type Unit } from './batcher.js';
import type { InferenceBackend, JobResult } from './jobs.js';
import { PROBABILITIES_OUTPUT, type ServedModel } from './served-model.js';
import { concatRows, splitRows, type WireTensor } from './tensors.js';
import { chunkTexts, chunkUniform, joinOutputs, rowWidth, splitFeeds, type Chunk, type UnitLimits } from './units.js';
import { warmupFeeds, checkFiniteOutputs } from './warmup-feeds.js';

export type Outputs = Record<string, WireTensor>;

/** One request's work: texts for the text model, or named tensors for any graph. */
export type WorkItem =
  | { kind: 'text'; texts: string[] }
  | { kind: 'tensors'; feeds: Record<string, WireTensor>; fetches?: string[] };

export interface BatchingOptions {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueueSize: number;
  maxBatchCells: number;
}

export interface RuntimeHooks {
  batch?: BatchObserver;
  onInference?: (ms: number) => void;
}

export interface InferenceRuntime {
  readonly model: ServedModel;
  readonly backend: InferenceBackend;
  /** Queues one request; resolves with its own slice of the batch outputs. */
  infer(item: WorkItem): Promise<Outputs>;
  /** Label and probabilities per text (text model only). */
  predictTexts(texts: string[]): Promise<{ label: string; probabilities: Record<string, number> }[]>;
  /** Runs the warm-up inference on every worker; throws WARMUP_FAILED when the output is not the expected one. */
  warmup(): Promise<void>;
  readonly queueDepth: number;
  readonly batchesInFlight: number;
  /** Stops waiting for fuller batches (shutdown); resolves when nothing is queued or running. */
  flush(): Promise<void>;
  /** Finishes queued work, then closes the backend. */
  close(): Promise<void>;
}

let soloCounter = 0;

/** Requests with the same key can share a batch. */
function tensorKey(model: ServedModel, item: Extract<WorkItem, { kind: 'tensors' }>): string {
  // Stryker disable next-line AssignmentOperator: counting down gives every request its own key all the same
  if (!model.batchable) return `solo:${(soloCounter += 1)}`;
  const feeds = Object.entries(item.feeds).sort(([a], [b]) => a.localeCompare(b));
  const signature = feeds.map(([name, t]) => [name, t.type, t.dims.slice(1)]);
  return `tensors:${JSON.stringify(signature)}:${JSON.stringify(item.fetches ?? null)}`;
}

/** A request as batcher units, each within maxBatchSize rows and maxBatchCells padded cells. */
function unitsOf(model: ServedModel, item: WorkItem, limits: UnitLimits): { units: Unit<WorkItem>[]; chunks: Chunk[] } {
  if (item.kind === 'text') {
    const chunks = chunkTexts(item.texts, limits);
    const units = chunks.map((c) => ({
      input: chunks.length === 1 ? item : { kind: 'text' as const, texts: item.texts.slice(c.start, c.start + c.rows) },
      // Stryker disable next-line StringLiteral: every text unit has this one key; tensor keys start with tensors: or solo:, so '' is as distinct
      key: 'text',
      rows: c.rows,
      width: c.width,
    }));
    return { units, chunks };
  }
  const key = tensorKey(model, item);
  const rows = rowsOf(item);
  const width = rowWidth(item.feeds, rows);
  const chunks = model.batchable ? chunkUniform(rows, width, limits) : [{ start: 0, rows, width }];
  if (chunks.length === 1) return { units: [{ input: item, key, rows: model.batchable ? rows : 1, width }], chunks };
  const units = splitFeeds(item.feeds, chunks).map((feeds, i) => ({
    input: { ...item, feeds },
    key,
    rows: (chunks[i] as Chunk).rows,
    width,
  }));
  return { units, chunks };
}

function rowsOf(item: WorkItem): number {
  return item.kind === 'text' ? item.texts.length : (Object.values(item.feeds)[0]?.dims[0] ?? 1);
}

/** Splits each output with one row per stacked input row; other outputs go whole to every request. */
function splitOutputs(outputs: Outputs, rows: number[]): Outputs[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const parts: Outputs[] = rows.map(() => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    const pieces = tensor.dims[0] === total ? splitRows(tensor, rows) : rows.map(() => tensor);
    pieces.forEach((piece, i) => ((parts[i] as Outputs)[name] = piece));
  }
  return parts;
}

async function runBatch(backend: InferenceBackend, items: WorkItem[], cells: number, hooks: RuntimeHooks): Promise<Outputs[]> {
  const first = items[0] as WorkItem;
  let result: JobResult;
  if (first.kind === 'text') {
    // Stryker disable next-line ArrayDeclaration: batches never mix kinds (keys start with text, tensors: or solo:), so every item here is text
    const texts = items.length === 1 ? first.texts : items.flatMap((i) => (i.kind === 'text' ? i.texts : []));
    result = await backend.run({ kind: 'text', texts }, cells);
  } else {
    const tensorItems = items as Extract<WorkItem, { kind: 'tensors' }>[];
    const feeds: Record<string, WireTensor> = {};
    for (const name of Object.keys(first.feeds)) {
      feeds[name] = concatRows(tensorItems.map((i) => i.feeds[name] as WireTensor));
    }
    result = await backend.run({ kind: 'tensors', feeds, ...(first.fetches ? { fetches: first.fetches } : {}) }, cells);
  }
  hooks.onInference?.(result.inferenceMs);
  return items.length === 1 ? [result.outputs] : splitOutputs(result.outputs, items.map(rowsOf));
}

/** Label (first maximum) and probabilities per row: plain loops, one object per row and its map. */
export function labelRows(model: ServedModel, probabilities: WireTensor): { label: string; probabilities: Record<string, number> }[] {
  const { labels } = model;
  const k = labels.length;
  const data = probabilities.data as Float32Array;
  const rows = probabilities.dims[0] ?? 0;
  // Stryker disable next-line ArrayDeclaration: every index is assigned below; the length only pre-sizes the array
  const out = new Array<{ label: string; probabilities: Record<string, number> }>(rows);
  for (let r = 0; r < rows; r += 1) {
    const base = r * k;
    const probs: Record<string, number> = {};
    let best = 0;
    for (let j = 0; j < k; j += 1) {
      const p = data[base + j] as number;
      probs[labels[j] as string] = p;
      if (p > (data[base + best] as number)) best = j;
    }
    out[r] = { label: labels[best] as string, probabilities: probs };
  }
  return out;
}

export function createRuntime(options: {
  backend: InferenceBackend;
  model: ServedModel;
  batching: BatchingOptions;
  hooks?: RuntimeHooks;
}): InferenceRuntime {
  const { backend, model, hooks = {} } = options;
  const batcher: Batcher<WorkItem, Outputs> = createBatcher({
    ...options.batching,
    concurrency: backend.size,
    run: (_key, items, cells) => runBatch(backend, items, cells, hooks),
    ...(backend.admit ? { admit: (cells: number) => (backend.admit as (c: number) => boolean)(cells) } : {}),
    ...(hooks.batch ? { observer: hooks.batch } : {}),
  });
  // a batch left waiting for a worker being started leaves once it is up (or will not come)
  backend.onCapacity?.(() => batcher.wake());
  let closing: Promise<void> | undefined;
  const infer = async (item: WorkItem): Promise<Outputs> => {
    const { units, chunks } = unitsOf(model, item, options.batching);
    if (units.length === 1) return batcher.submit(item, units[0] as Unit<WorkItem>);
    return joinOutputs(await batcher.submitUnits(units), chunks);
  };
  return {
    model,
    backend,
    infer,
    async predictTexts(texts) {
      const outputs = await infer({ kind: 'text', texts });
      return labelRows(model, outputs[PROBABILITIES_OUTPUT] as WireTensor);
    },
    warmup: () => warmup(backend, model, options.batching),
    get queueDepth() {
      return batcher.depth;
    },
    get batchesInFlight() {
      return batcher.inFlight;
    },
    flush: () => batcher.drain(),
    close() {
      // Once: a second close (SIGTERM then SIGINT) waits for the first instead of disposing the
      // onnxruntime session twice ("Session already disposed").
      closing ??= (async () => {
        batcher.close();
        await batcher.drain();
        await backend.close();
      })();
      return closing;
    },
  };
}

/** Padded cells of one work item as the batcher counts them. */
function cellsOf(model: ServedModel, item: WorkItem, limits: UnitLimits): number {
  return unitsOf(model, item, limits).units.reduce((sum, u) => sum + u.rows * (u.width ?? 1), 0);
}

async function warmup(backend: InferenceBackend, model: ServedModel, limits: UnitLimits): Promise<void> {
  if (model.kind === 'tensor') {
    const verify = (result: JobResult) => checkFiniteOutputs(result.outputs);
    const item: WorkItem = { kind: 'tensors', feeds: warmupFeeds(model.graph) };
    for (const result of await backend.runOnAll(item, verify, cellsOf(model, item, limits))) verify(result);
    return;
  }
  const verify = (result: JobResult): void => {
    const probabilities = result.outputs[PROBABILITIES_OUTPUT];
    const labels = probabilities ? labelRows(model, probabilities).map((r) => r.label) : [];
    if (JSON.stringify(labels) !== JSON.stringify(WARMUP.expectedLabels)) {
      throw new StartupError(
        STARTUP_ERROR_CODES.WARMUP_FAILED,
        `warm-up inference returned ${JSON.stringify(labels)}, expected ${JSON.stringify(WARMUP.expectedLabels)}`,
      );
    }
  };
  // the backend checks workers it starts later with the same job and check
  const item: WorkItem = { kind: 'text', texts: [...WARMUP.texts] };
  for (const result of await backend.runOnAll(item, verify, cellsOf(model, item, limits))) verify(result);
}
