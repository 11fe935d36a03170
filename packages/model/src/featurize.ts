import { MAX_TOKENS, PAD_ID, writeTokenIds } from './tokenize.js';

export interface FeaturizeOptions {
  /** Cap on tokens per text (default MAX_TOKENS). */
  maxTokens?: number;
}

/** The exact feed of the ONNX graph: row-major [batch, seqLen] tensors. */
export interface Features {
  /** Token ids, padded with 0; goes to input `input_ids` (int64). */
  inputIds: BigInt64Array;
  /** 1 for a real token, 0 for padding; goes to input `attention_mask` (float32). */
  mask: Float32Array;
  batch: number;
  /** Longest token count in the batch, capped at maxTokens, at least 1. */
  seqLen: number;
}

/**
 * Scratch for the ids of a batch before its padded length is known: kept between calls (it grows
 * to the largest batch seen, at most rows × MAX_TOKENS ids), so a batch costs two tensor
 * allocations and nothing else. Each thread has its own module instance.
 */
let ids = new Int32Array(4096);
let counts = new Int32Array(64);

/** int64 ids are written as two int32 halves (low, high = 0) where the platform is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

function capacity(texts: readonly string[], maxTokens: number): number {
  let total = 0;
  for (const text of texts) total += Math.min(maxTokens, text.length);
  return total;
}

/** Tokenizes and pads a batch of texts into the model's input tensors. */
export function featurize(texts: readonly string[], opts: FeaturizeOptions = {}): Features {
  const maxTokens = opts.maxTokens ?? MAX_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new RangeError(`maxTokens must be a positive integer, got ${maxTokens}`);
  }
  const batch = texts.length;
  const room = capacity(texts, maxTokens);
  if (ids.length < room) ids = new Int32Array(Math.max(room, ids.length * 2));
  if (counts.length < batch) counts = new Int32Array(Math.max(batch, counts.length * 2));
  let seqLen = 1;
  let offset = 0;
  for (let b = 0; b < batch; b += 1) {
    const text = texts[b] as string;
    const count = writeTokenIds(text, ids, offset, maxTokens);
    counts[b] = count;
    if (count > seqLen) seqLen = count;
    offset += Math.min(maxTokens, text.length);
  }
  const inputIds = new BigInt64Array(batch * seqLen);
  const mask = new Float32Array(batch * seqLen);
  const halves = LITTLE_ENDIAN ? new Int32Array(inputIds.buffer) : undefined;
  offset = 0;
  for (let b = 0; b < batch; b += 1) {
    const count = counts[b] as number;
    const row = b * seqLen;
    for (let t = 0; t < count; t += 1) {
      const id = ids[offset + t] as number;
      if (halves === undefined) inputIds[row + t] = BigInt(id);
      else halves[2 * (row + t)] = id;
      mask[row + t] = 1;
    }
    offset += Math.min(maxTokens, (texts[b] as string).length);
  }
  return { inputIds, mask, batch, seqLen };
}

// Padding is written by zero-initialisation of the tensors.
if (PAD_ID !== 0) throw new Error('featurize assumes PAD_ID = 0');

/** Minimal structural view of onnxruntime's Tensor constructor (so this package needs no ORT import). */
export type TensorConstructor<T> = new (
  type: 'int64' | 'float32',
  data: BigInt64Array | Float32Array,
  dims: readonly number[],
) => T;

/** Features as named onnxruntime tensors: `{ input_ids, attention_mask }`. */
export function tensorsForTexts<T>(
  ort: { Tensor: TensorConstructor<T> },
  texts: readonly string[],
  opts: FeaturizeOptions = {},
): { input_ids: T; attention_mask: T } {
  const f = featurize(texts, opts);
  const dims = [f.batch, f.seqLen] as const;
  return {
    input_ids: new ort.Tensor('int64', f.inputIds, dims),
    attention_mask: new ort.Tensor('float32', f.mask, dims),
  };
}
