/**
 * fastText-style training of the reference classifier in plain typed arrays:
 * hashed token ids → embedding rows → mean over real tokens → dense → softmax.
 * Plain SGD, one example at a time, linear learning-rate decay, seeded init and
 * shuffling, single thread: the same data and code always give the same weights.
 */
import { LABELS, VOCAB_SIZE, type Label } from '../../src/index.js';
import { mulberry32, shuffle, type Prng } from './prng.js';

export interface Hyper {
  dim: number;
  epochs: number;
  learningRate: number;
  seed: number;
  /** Share of steps that train on a random prefix of the text (robustness on short inputs). */
  cropProbability: number;
}

export const HYPER: Readonly<Hyper> = Object.freeze({ dim: 32, epochs: 8, learningRate: 0.5, seed: 20_240_611, cropProbability: 0.5 });

export interface Params {
  vocab: number;
  dim: number;
  /** [vocab, dim] row-major; row 0 (padding) stays zero. */
  embedding: Float32Array;
  /** [dim, classes] row-major. */
  weight: Float32Array;
  /** [classes]. */
  bias: Float32Array;
}

/** One training example: token ids (no padding) and the class index. */
export interface Sample {
  ids: Int32Array;
  target: number;
}

const CLASSES = LABELS.length;

export function labelIndex(label: Label): number {
  return LABELS.indexOf(label);
}

export function initParams(hyper: Hyper, vocab: number = VOCAB_SIZE): Params {
  const rng = mulberry32(hyper.seed);
  const embedding = new Float32Array(vocab * hyper.dim);
  const scale = 1 / hyper.dim;
  for (let i = hyper.dim; i < embedding.length; i++) embedding[i] = (rng.next() * 2 - 1) * scale;
  return { vocab, dim: hyper.dim, embedding, weight: new Float32Array(hyper.dim * CLASSES), bias: new Float32Array(CLASSES) };
}

/** Mean of the embedding rows of `ids` (zero vector when there are none). */
export function pool(p: Params, ids: ArrayLike<number>): Float64Array {
  const h = new Float64Array(p.dim);
  for (let t = 0; t < ids.length; t++) {
    const row = (ids[t] ?? 0) * p.dim;
    for (let d = 0; d < p.dim; d++) h[d] = (h[d] ?? 0) + (p.embedding[row + d] ?? 0);
  }
  const n = Math.max(ids.length, 1);
  for (let d = 0; d < p.dim; d++) h[d] = (h[d] ?? 0) / n;
  return h;
}

export function logitsOf(p: Params, h: Float64Array): number[] {
  const z: number[] = [];
  for (let k = 0; k < CLASSES; k++) {
    let s = p.bias[k] ?? 0;
    for (let d = 0; d < p.dim; d++) s += (h[d] ?? 0) * (p.weight[d * CLASSES + k] ?? 0);
    z.push(s);
  }
  return z;
}

export function softmax(z: readonly number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/** Class probabilities of one example (the TS twin of the ONNX graph). */
export function forward(p: Params, ids: ArrayLike<number>): number[] {
  return softmax(logitsOf(p, pool(p, ids)));
}

/** One SGD step on one example; returns its cross-entropy loss. */
function step(p: Params, s: Sample, lr: number): number {
  const h = pool(p, s.ids);
  const prob = softmax(logitsOf(p, h));
  const g = prob.map((q, k) => q - (k === s.target ? 1 : 0));
  const gh = new Float64Array(p.dim);
  for (let d = 0; d < p.dim; d++) {
    for (let k = 0; k < CLASSES; k++) {
      const w = d * CLASSES + k;
      gh[d] = (gh[d] ?? 0) + (p.weight[w] ?? 0) * (g[k] ?? 0);
      p.weight[w] = (p.weight[w] ?? 0) - lr * (h[d] ?? 0) * (g[k] ?? 0);
    }
  }
  for (let k = 0; k < CLASSES; k++) p.bias[k] = (p.bias[k] ?? 0) - lr * (g[k] ?? 0);
  const scale = lr / Math.max(s.ids.length, 1);
  for (let t = 0; t < s.ids.length; t++) {
    const row = (s.ids[t] ?? 0) * p.dim;
    for (let d = 0; d < p.dim; d++) p.embedding[row + d] = (p.embedding[row + d] ?? 0) - scale * (gh[d] ?? 0);
  }
  return -Math.log(Math.max(prob[s.target] ?? 0, 1e-12));
}

/** With probability `p`, the same example cut to a random non-empty prefix. */
function maybeCrop(s: Sample, p: number, rng: Prng): Sample {
  if (p <= 0 || s.ids.length < 2 || rng.next() >= p) return s;
  const keep = 1 + Math.floor(rng.next() * s.ids.length);
  return { ids: s.ids.subarray(0, keep), target: s.target };
}

export interface EpochLog {
  epoch: number;
  meanLoss: number;
}

/** Trains from scratch; deterministic for a given sample list and hyper-parameters. */
export function train(samples: readonly Sample[], hyper: Hyper, vocab: number = VOCAB_SIZE): { params: Params; log: EpochLog[] } {
  const params = initParams(hyper, vocab);
  const rng = mulberry32(hyper.seed ^ 0x9e3779b9);
  const order = samples.map((_, i) => i);
  const total = hyper.epochs * samples.length;
  const log: EpochLog[] = [];
  let seen = 0;
  for (let epoch = 1; epoch <= hyper.epochs; epoch++) {
    shuffle(order, rng);
    let loss = 0;
    for (const i of order) {
      const lr = hyper.learningRate * (1 - seen / total);
      loss += step(params, maybeCrop(samples[i] as Sample, hyper.cropProbability, rng), lr);
      seen++;
    }
    log.push({ epoch, meanLoss: loss / Math.max(samples.length, 1) });
  }
  return { params, log };
}

export interface Metrics {
  count: number;
  accuracy: number;
  /** confusion[actual][predicted] */
  confusion: number[][];
}

export function evaluate(p: Params, samples: readonly Sample[]): Metrics {
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  for (const s of samples) {
    const prob = forward(p, s.ids);
    const predicted = (prob[1] ?? 0) > (prob[0] ?? 0) ? 1 : 0;
    const row = confusion[s.target];
    if (row) row[predicted] = (row[predicted] ?? 0) + 1;
  }
  const correct = confusion.reduce((sum, row, k) => sum + (row[k] ?? 0), 0);
  return { count: samples.length, accuracy: correct / Math.max(samples.length, 1), confusion };
}
