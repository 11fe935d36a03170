/**
 * Reads the trained weights back out of an ONNX file (initializers in raw_data), so tests
 * can run the TypeScript forward pass on exactly what onnxruntime runs.
 */
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import type { Params } from './train.js';

const { onnx } = onnxProto;

function floats(tensors: readonly onnxProto.onnx.ITensorProto[], name: string): { dims: number[]; data: Float32Array } {
  const t = tensors.find((x) => x.name === name);
  const raw = t?.rawData;
  if (!t || !raw) throw new Error(`initializer ${name} missing or not in raw_data`);
  const data = new Float32Array(raw.byteLength / 4);
  new Uint8Array(data.buffer).set(raw);
  return { dims: (t.dims ?? []).map(Number), data };
}

export async function readParams(path: string): Promise<Params> {
  const model = onnx.ModelProto.decode(await readFile(path));
  const init = model.graph?.initializer ?? [];
  const embedding = floats(init, 'embedding');
  const [vocab = 0, dim = 0] = embedding.dims;
  return {
    vocab,
    dim,
    embedding: embedding.data,
    weight: floats(init, 'dense_weight').data,
    bias: floats(init, 'dense_bias').data,
  };
}
