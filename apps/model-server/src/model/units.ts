/**
 * One request → the units the batcher queues, each small enough for one batch: at most
 * `maxBatchSize` rows and at most `maxBatchCells` padded cells (rows × the widest row). A text's
 * width is an upper bound of its token count (`tokenCountBound`, no tokenizing here; the worker
 * pads each batch to its real longest text); a tensor row's width is its element count. A single
 * row wider than `maxBatchCells` still forms a unit of its own (a row cannot be split).
 * The outputs of a request's units are joined back along the first dimension.
 */
import { tokenCountBound } from '@fleet/model';
import { concatRows, splitRows, type WireTensor } from './tensors.js';

export interface UnitLimits {
  maxBatchSize: number;
  maxBatchCells: number;
}

export interface Chunk {
  start: number;
  rows: number;
  /** Widest row of the chunk. */
  width: number;
}

/** Consecutive chunks of rows, greedily as large as the limits allow. */
export function chunkRows(widths: readonly number[], limits: UnitLimits): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk | undefined;
  for (let i = 0; i < widths.length; i += 1) {
    const w = Math.max(1, widths[i] as number);
    if (current !== undefined) {
      const rows = current.rows + 1;
      if (rows <= limits.maxBatchSize && rows * Math.max(current.width, w) <= limits.maxBatchCells) {
        current.rows = rows;
        current.width = Math.max(current.width, w);
        continue;
      }
    }
    current = { start: i, rows: 1, width: w };
    chunks.push(current);
  }
  return chunks;
}

/** Chunks of a text request, each with its padded width in tokens (upper bound). */
export function chunkTexts(texts: readonly string[], limits: UnitLimits): Chunk[] {
  return chunkRows(texts.map((text) => tokenCountBound(text)), limits);
}

/** Elements per row over every feed (all feeds share the first dimension `rows`). */
export function rowWidth(feeds: Record<string, WireTensor>, rows: number): number {
  if (rows <= 0) return 1;
  let width = 0;
  for (const tensor of Object.values(feeds)) width += tensor.data.length / rows;
  return Math.max(1, width);
}

/** Same-width rows: chunks of as many rows as fit. */
export function chunkUniform(rows: number, width: number, limits: UnitLimits): Chunk[] {
  const perChunk = Math.max(1, Math.min(limits.maxBatchSize, Math.floor(limits.maxBatchCells / width)));
  const chunks: Chunk[] = [];
  for (let start = 0; start < rows; start += perChunk) chunks.push({ start, rows: Math.min(perChunk, rows - start), width });
  return chunks;
}

/** Every feed cut into the rows of each chunk. */
export function splitFeeds(feeds: Record<string, WireTensor>, chunks: readonly Chunk[]): Record<string, WireTensor>[] {
  const parts: Record<string, WireTensor>[] = chunks.map(() => ({}));
  for (const [name, tensor] of Object.entries(feeds)) {
    splitRows(tensor, chunks.map((c) => c.rows)).forEach((piece, i) => ((parts[i] as Record<string, WireTensor>)[name] = piece));
  }
  return parts;
}

/**
 * The outputs of a request's units joined in order: a tensor with one row per input row is
 * concatenated; any other output (not per row) is taken from the first unit.
 */
export function joinOutputs(parts: readonly Record<string, WireTensor>[], chunks: readonly Chunk[]): Record<string, WireTensor> {
  const first = parts[0] as Record<string, WireTensor>;
  if (parts.length === 1) return first;
  const joined: Record<string, WireTensor> = {};
  for (const name of Object.keys(first)) {
    const pieces = parts.map((p) => p[name] as WireTensor);
    const perRow = pieces.every((t, i) => t !== undefined && t.dims[0] === (chunks[i] as Chunk).rows);
    joined[name] = perRow ? concatRows(pieces) : (first[name] as WireTensor);
  }
  return joined;
}
