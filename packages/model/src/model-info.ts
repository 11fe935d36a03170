import { fileURLToPath } from 'node:url';
import { MODEL_SHA256 } from './model-hash.js';

/** Output classes, in the order of the `probabilities` columns. */
export const LABELS = ['ham', 'spam'] as const;
export type Label = (typeof LABELS)[number];

export interface TensorInfo {
  readonly name: string;
  /** Open Inference Protocol datatype. */
  readonly datatype: 'INT64' | 'FP32';
  /** -1 marks a symbolic dimension. */
  readonly shape: readonly number[];
}

export interface ModelInfo {
  readonly name: 'spam-classifier';
  readonly version: string;
  readonly labels: readonly Label[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
}

/** Release of the architecture/training recipe; the suffix is the model file's sha256 prefix. */
const RECIPE_VERSION = '1.0.0';

export const MODEL_INFO: ModelInfo = Object.freeze({
  name: 'spam-classifier',
  version: `${RECIPE_VERSION}+${MODEL_SHA256.slice(0, 12)}`,
  labels: LABELS,
  inputs: Object.freeze([
    Object.freeze({ name: 'input_ids', datatype: 'INT64', shape: Object.freeze([-1, -1]) }),
    Object.freeze({ name: 'attention_mask', datatype: 'FP32', shape: Object.freeze([-1, -1]) }),
  ]),
  outputs: Object.freeze([
    Object.freeze({ name: 'probabilities', datatype: 'FP32', shape: Object.freeze([-1, 2]) }),
    Object.freeze({ name: 'logits', datatype: 'FP32', shape: Object.freeze([-1, 2]) }),
  ]),
} as const);

/** Absolute path of the committed model (package root/model/), valid from src and from dist. */
export const defaultModelPath: string = fileURLToPath(
  new URL('../model/spam-classifier.onnx', import.meta.url),
);

/** Clear examples the committed model classifies correctly; readiness checks them. */
export const WARMUP: { readonly texts: readonly string[]; readonly expectedLabels: readonly Label[] } =
  Object.freeze({
    texts: Object.freeze([
      'Hi Bob, the patch for the build script is attached. Can you review it before the release on Monday? Thanks, Alice',
      'CONGRATULATIONS! You have been selected to receive a FREE credit card offer. Click here to apply now and earn money fast!!! Limited time offer, order today. Remove me from this mailing list',
    ]),
    expectedLabels: Object.freeze(['ham', 'spam'] as const),
  });
