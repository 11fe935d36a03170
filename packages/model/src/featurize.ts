import { MAX_TOKENS, PAD_ID, tokenIds } from './tokenize.js';

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

/** Tokenizes and pads a batch of texts into the model's input tensors. */
export function featurize(texts: readonly string[], opts: FeaturizeOptions = {}): Features {
  const maxTokens = opts.maxTokens ?? MAX_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new RangeError(`maxTokens must be a positive integer, got ${maxTokens}`);
  }
  const rows = texts.map((text) => tokenIds(text, maxTokens));
  const seqLen = rows.reduce((max, row) => Math.max(max, row.length), 1);
  const batch = rows.length;
  const inputIds = new BigInt64Array(batch * seqLen).fill(BigInt(PAD_ID));
  const mask = new Float32Array(batch * seqLen);
  rows.forEach((row, b) => {
    const offset = b * seqLen;
    row.forEach((id, t) => {
      inputIds[offset + t] = BigInt(id);
      mask[offset + t] = 1;
    });
  });
  return { inputIds, mask, batch, seqLen };
}

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
