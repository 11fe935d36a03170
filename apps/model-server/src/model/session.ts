/**
 * onnxruntime session handling shared by the workers and the in-process benchmark:
 * open a session, describe its graph, run named feeds, featurize texts for the reference model.
 */
import { access } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { featurize, MODEL_INFO } from '@fleet/model';
import { STARTUP_ERROR_CODES, StartupError } from '../errors.js';
import type { OrtType, TensorData, WireTensor } from './tensors.js';

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

export interface SessionOptions {
  intraOpThreads: number;
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

export async function openSession(modelPath: string, options: SessionOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(STARTUP_ERROR_CODES.MODEL_INVALID, `cannot load ONNX model ${modelPath}: ${reason}`, {
      cause: error,
    });
  }
}

export function describeGraph(session: ort.InferenceSession): GraphInfo {
  const describe = (meta: readonly ort.InferenceSession.ValueMetadata[]): GraphValue[] =>
    meta.map((m) =>
      m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] },
    );
  return { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
}

/** True when the graph takes exactly the reference text model's inputs (so `/predict` can feed it texts). */
export function isTextGraph(graph: GraphInfo): boolean {
  const expected = MODEL_INFO.inputs.map((i) => i.name).sort();
  const actual = graph.inputs.map((i) => i.name).sort();
  const hasProbabilities = graph.outputs.some((o) => o.name === MODEL_INFO.outputs[0]?.name);
  return hasProbabilities && expected.length === actual.length && expected.every((name, i) => name === actual[i]);
}

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

export async function runFeeds(
  session: ort.InferenceSession,
  feeds: Record<string, WireTensor>,
  fetches?: readonly string[],
): Promise<Record<string, WireTensor>> {
  const input: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    input[name] = new ort.Tensor(t.type as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
  }
  const results = fetches === undefined ? await session.run(input) : await session.run(input, [...fetches]);
  const out: Record<string, WireTensor> = {};
  for (const [name, tensor] of Object.entries(results)) {
    out[name] = { type: tensor.type as OrtType, data: tensor.data as TensorData, dims: [...tensor.dims] };
  }
  return out;
}
