/**
 * Fixture models for tests: a linear softmax classifier over a float feature vector,
 * `input` float32 [batch, inputDim] → MatMul → Add → Softmax → `output` float32 [batch, classes].
 */
import { attr, writeModel, type ModelSpec } from './graph.js';

export interface LinearClassifier {
  inputDim: number;
  classes: number;
  /** Row-major [inputDim][classes]: output logits = input · weights + bias. */
  weights: readonly (readonly number[])[];
  bias: readonly number[];
  inputName?: string;
  outputName?: string;
  graphName?: string;
}

function flatWeights(m: LinearClassifier): Float32Array {
  if (m.weights.length !== m.inputDim || m.weights.some((row) => row.length !== m.classes)) {
    throw new RangeError(`weights must be [${m.inputDim}][${m.classes}]`);
  }
  if (m.bias.length !== m.classes) throw new RangeError(`bias must have ${m.classes} values`);
  return Float32Array.from(m.weights.flat());
}

/** The ONNX spec of a linear softmax classifier (symbolic batch dimension 'batch'). */
export function linearClassifierSpec(m: LinearClassifier): ModelSpec {
  const input = m.inputName ?? 'input';
  const output = m.outputName ?? 'output';
  return {
    graphName: m.graphName ?? 'linear-classifier',
    inputs: [{ name: input, type: 'float32', shape: ['batch', m.inputDim] }],
    outputs: [{ name: output, type: 'float32', shape: ['batch', m.classes] }],
    initializers: [
      { name: 'W', dims: [m.inputDim, m.classes], data: flatWeights(m) },
      { name: 'b', dims: [m.classes], data: Float32Array.from(m.bias) },
    ],
    nodes: [
      { op: 'MatMul', inputs: [input, 'W'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: [output], attributes: { axis: attr.int(-1) } },
    ],
  };
}

/** Writes a linear softmax classifier to `path`; returns the file bytes. */
export function writeLinearClassifier(m: LinearClassifier & { path: string }): Promise<Uint8Array> {
  return writeModel(linearClassifierSpec(m), m.path);
}

/** Reference forward pass (float64, weights rounded to float32 like the file): softmax rows. */
export function linearClassifierForward(m: LinearClassifier, rows: readonly (readonly number[])[]): number[][] {
  const w = flatWeights(m);
  const b = Float32Array.from(m.bias);
  return rows.map((x) => {
    const logits = Array.from({ length: m.classes }, (_, k) =>
      x.reduce((sum, xi, i) => sum + Math.fround(xi) * (w[i * m.classes + k] ?? 0), b[k] ?? 0),
    );
    return softmax(logits);
  });
}

/** Numerically stable softmax. */
export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/**
 * An iris-like classifier (sepal length/width, petal length/width in cm →
 * setosa, versicolor, virginica): a hand-set logistic regression close to what
 * scikit-learn fits on the iris data set.
 */
export const IRIS_CLASSIFIER: LinearClassifier & { labels: readonly string[] } = Object.freeze({
  inputDim: 4,
  classes: 3,
  labels: Object.freeze(['setosa', 'versicolor', 'virginica']),
  weights: Object.freeze([
    Object.freeze([-0.42, 0.53, -0.11]),
    Object.freeze([0.97, -0.32, -0.65]),
    Object.freeze([-2.52, -0.21, 2.73]),
    Object.freeze([-1.08, -0.94, 2.02]),
  ]),
  bias: Object.freeze([9.85, 2.24, -12.09]),
  graphName: 'iris-classifier',
});

/** Writes the iris-like classifier (`input` [-1,4] → `output` [-1,3]) to `path`. */
export function writeIrisClassifier(path: string): Promise<Uint8Array> {
  return writeLinearClassifier({ ...IRIS_CLASSIFIER, path });
}
