/**
 * The reference classifier as an ONNX graph (opset 13):
 *   Gather(embedding, input_ids) · Unsqueeze(attention_mask) → ReduceSum over the sequence
 *   ÷ Max(ReduceSum(attention_mask), 1) → MatMul + Add → logits → Softmax → probabilities.
 * Work grows with batch × sequence length (one embedding row gathered per token).
 */
import { attr, type ModelSpec } from '../../src/onnx-writer/index.js';
import { LABELS, MAX_TOKENS } from '../../src/index.js';
import type { Params } from './train.js';

export function spamGraphSpec(p: Params, metadata: Readonly<Record<string, string>>): ModelSpec {
  const classes = LABELS.length;
  return {
    graphName: 'spam-classifier',
    producerName: '@fleet/model build-model',
    producerVersion: '1',
    docString: 'Hashed bag-of-words (FNV-1a) embedding mean → dense → softmax over [ham, spam].',
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] },
      { name: 'attention_mask', type: 'float32', shape: ['batch', 'sequence'] },
    ],
    outputs: [
      { name: 'probabilities', type: 'float32', shape: ['batch', classes] },
      { name: 'logits', type: 'float32', shape: ['batch', classes] },
    ],
    initializers: [
      { name: 'embedding', dims: [p.vocab, p.dim], data: p.embedding },
      { name: 'dense_weight', dims: [p.dim, classes], data: p.weight },
      { name: 'dense_bias', dims: [classes], data: p.bias },
      { name: 'axis_sequence', dims: [1], data: BigInt64Array.of(1n) },
      { name: 'axis_feature', dims: [1], data: BigInt64Array.of(2n) },
      { name: 'one', dims: [], data: Float32Array.of(1) },
    ],
    nodes: [
      { op: 'Gather', name: 'embed', inputs: ['embedding', 'input_ids'], outputs: ['embedded'], attributes: { axis: attr.int(0) } },
      { op: 'Unsqueeze', name: 'mask_3d', inputs: ['attention_mask', 'axis_feature'], outputs: ['mask3'] },
      { op: 'Mul', name: 'mask_tokens', inputs: ['embedded', 'mask3'], outputs: ['masked'] },
      { op: 'ReduceSum', name: 'sum_tokens', inputs: ['masked', 'axis_sequence'], outputs: ['summed'], attributes: { keepdims: attr.int(0) } },
      { op: 'ReduceSum', name: 'count_tokens', inputs: ['attention_mask', 'axis_sequence'], outputs: ['count'], attributes: { keepdims: attr.int(1) } },
      { op: 'Max', name: 'count_at_least_one', inputs: ['count', 'one'], outputs: ['denominator'] },
      { op: 'Div', name: 'mean_tokens', inputs: ['summed', 'denominator'], outputs: ['pooled'] },
      { op: 'MatMul', name: 'dense', inputs: ['pooled', 'dense_weight'], outputs: ['projected'] },
      { op: 'Add', name: 'dense_bias_add', inputs: ['projected', 'dense_bias'], outputs: ['logits'] },
      { op: 'Softmax', name: 'softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: attr.int(-1) } },
    ],
    metadata: {
      ...metadata,
      labels: LABELS.join(','),
      max_tokens: String(MAX_TOKENS),
      vocab_size: String(p.vocab),
      embedding_dim: String(p.dim),
      tokenizer: 'lowercase; tokens = runs of Unicode letters/digits; id = 1 + fnv1a32(utf8(token)) mod (vocab_size - 1); 0 = padding',
    },
  };
}
