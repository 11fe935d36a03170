/**
 * What the main thread knows about a model without loading onnxruntime: the graph description
 * the workers report, whether it is the reference text model, its text feed, and a file check.
 * (onnxruntime itself is only loaded in the workers; see session.ts.)
 */
import { access } from 'node:fs/promises';
import { featurize, MODEL_INFO } from '@fleet/model';
import { STARTUP_ERROR_CODES, StartupError } from '../errors.js';
import type { WireTensor } from './tensors.js';

/** One graph input or output as onnxruntime reports it; symbolic dims are strings, -1 or unknown. */
export interface GraphValue {
  name: string;
  /** onnxruntime element type, or 'non-tensor' for sequences and maps. */
  type: string;
  shape: (number | string)[];
}

export interface GraphInfo {
  inputs: GraphValue[];
  outputs: GraphValue[];
}

/** Fails with MODEL_NOT_FOUND before any worker starts when the file cannot be read. */
export async function assertModelFile(modelPath: string): Promise<void> {
  try {
    await access(modelPath);
  } catch (error) {
    throw new StartupError(STARTUP_ERROR_CODES.MODEL_NOT_FOUND, `model file not found or unreadable: ${modelPath}`, {
      cause: error,
    });
  }
}

/** True when the graph takes exactly the reference text model's inputs (so `/predict` can feed it texts). */
export function isTextGraph(graph: GraphInfo): boolean {
  const expected = MODEL_INFO.inputs.map((i) => i.name).sort();
  const actual = graph.inputs.map((i) => i.name).sort();
  const hasProbabilities = graph.outputs.some((o) => o.name === MODEL_INFO.outputs[0]?.name);
  return hasProbabilities && expected.length === actual.length && expected.every((name, i) => name === actual[i]);
}

/**
 * The outputs a text job asks the session for: the probabilities only (labels are computed from
 * them). The graph's logits are not copied out, nor split per request.
 */
export const TEXT_FETCHES: readonly string[] = Object.freeze([MODEL_INFO.outputs[0]?.name ?? 'probabilities']);

/** The reference model's feed for a batch of texts, padded to the longest text of this batch. */
export function textFeeds(texts: readonly string[]): Record<string, WireTensor> {
  const features = featurize(texts);
  const dims = [features.batch, features.seqLen];
  const [ids, mask] = MODEL_INFO.inputs;
  return {
    [ids?.name ?? 'input_ids']: { type: 'int64', data: features.inputIds, dims },
    [mask?.name ?? 'attention_mask']: { type: 'float32', data: features.mask, dims },
  };
}
