/**
 * What the replica serves, described once from the loaded graph: the reference text model
 * (texts in, labels out; `/predict` and v2 with a BYTES input) or any other ONNX graph
 * (v2 tensors in and out).
 */
import { basename, extname } from 'node:path';
import { MODEL_INFO } from '@fleet/model';
import { isTextGraph, type GraphInfo, type GraphValue } from './graph.js';
import { ortToV2, type TensorSpec } from './tensors.js';

export interface ServedModel {
  kind: 'text' | 'tensor';
  name: string;
  version: string;
  platform: 'onnxruntime_onnx';
  /** Inputs and outputs as the Open Inference Protocol shows them (symbolic dims = -1). */
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Class names of the text model's probability columns; empty for other models. */
  labels: readonly string[];
  graph: GraphInfo;
  /** True when every graph input has a symbolic first dimension, so requests can be stacked. */
  batchable: boolean;
}

/** v2 input and output of the text model (the graph's own int64/float inputs stay internal). */
export const TEXT_INPUT = 'text';
export const LABEL_OUTPUT = 'label';
export const PROBABILITIES_OUTPUT = MODEL_INFO.outputs[0]?.name ?? 'probabilities';

function v2Shape(shape: readonly (number | string)[]): number[] {
  return shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1));
}

function toSpecs(values: readonly GraphValue[]): TensorSpec[] {
  return values.flatMap((v) => {
    const datatype = ortToV2(v.type);
    return datatype === undefined ? [] : [{ name: v.name, datatype, shape: v2Shape(v.shape) }];
  });
}

function symbolicFirstDim(value: GraphValue): boolean {
  const first = value.shape[0];
  return typeof first === 'string' || (typeof first === 'number' && first < 0);
}

export interface DescribeOptions {
  modelPath: string;
  /** Configured name (MODEL_NAME); default: the text model's name or the file name. */
  name: string | undefined;
}

export function describeServedModel(graph: GraphInfo, options: DescribeOptions): ServedModel {
  if (isTextGraph(graph)) {
    return {
      kind: 'text',
      name: options.name ?? MODEL_INFO.name,
      version: MODEL_INFO.version,
      platform: 'onnxruntime_onnx',
      inputs: [{ name: TEXT_INPUT, datatype: 'BYTES', shape: [-1] }],
      outputs: [
        { name: PROBABILITIES_OUTPUT, datatype: 'FP32', shape: [-1, MODEL_INFO.labels.length] },
        { name: LABEL_OUTPUT, datatype: 'BYTES', shape: [-1] },
      ],
      labels: MODEL_INFO.labels,
      graph,
      batchable: true,
    };
  }
  return {
    kind: 'tensor',
    name: options.name ?? basename(options.modelPath, extname(options.modelPath)),
    version: '1',
    platform: 'onnxruntime_onnx',
    inputs: toSpecs(graph.inputs),
    outputs: toSpecs(graph.outputs),
    labels: [],
    graph,
    batchable: graph.inputs.length > 0 && graph.inputs.every(symbolicFirstDim),
  };
}
