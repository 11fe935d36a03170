/**
 * The committed model, run by onnxruntime: it matches MODEL_INFO and its hash, agrees with
 * the TypeScript forward pass, classifies the warm-up texts and keeps its held-out accuracy.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS, MODEL_INFO, MODEL_SHA256, WARMUP, defaultModelPath, tensorsForTexts, tokenIds } from '../src/index.js';
import { sha256Hex } from '../scripts/lib/build.js';
import { loadExamples, splitExamples, type Example } from '../src/corpus.js';
import { readParams } from '../scripts/lib/read-params.js';
import { forward, type Params } from '../scripts/lib/train.js';

/** Reported in README.md; the committed model measures 0.980 on the same split. */
const HELD_OUT_ACCURACY_FLOOR = 0.97;
const BATCH = 32;

let session: ort.InferenceSession;
let heldOut: Example[];
let params: Params;

async function probabilities(texts: readonly string[]): Promise<number[][]> {
  const out = await session.run(tensorsForTexts(ort, texts));
  const data = out.probabilities?.data as Float32Array;
  return texts.map((_, i) => [data[i * 2] ?? NaN, data[i * 2 + 1] ?? NaN]);
}

beforeAll(async () => {
  session = await ort.InferenceSession.create(defaultModelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  heldOut = splitExamples(loadExamples()).heldOut;
  params = await readParams(defaultModelPath);
}, 60_000);

afterAll(async () => {
  await session?.release();
});

describe('committed model', () => {
  it('is the file MODEL_SHA256 / MODEL_INFO.version describe', async () => {
    expect(sha256Hex(await readFile(defaultModelPath))).toBe(MODEL_SHA256);
    expect(MODEL_INFO.version).toBe(`1.0.0+${MODEL_SHA256.slice(0, 12)}`);
  });

  it('has the inputs and outputs MODEL_INFO announces, with symbolic dims', () => {
    expect(session.inputNames).toEqual(MODEL_INFO.inputs.map((t) => t.name));
    expect(session.outputNames).toEqual(MODEL_INFO.outputs.map((t) => t.name));
    expect(session.inputMetadata.map((m) => (m.isTensor ? [m.type, m.shape] : null))).toEqual([
      ['int64', ['batch', 'sequence']],
      ['float32', ['batch', 'sequence']],
    ]);
    expect(session.outputMetadata.map((m) => (m.isTensor ? [m.type, m.shape] : null))).toEqual([
      ['float32', ['batch', 2]],
      ['float32', ['batch', 2]],
    ]);
  });

  it('classifies the WARMUP texts as expected', async () => {
    const probs = await probabilities(WARMUP.texts);
    const labels = probs.map((p) => LABELS[(p[1] ?? 0) > (p[0] ?? 0) ? 1 : 0]);
    expect(labels).toEqual(WARMUP.expectedLabels);
    for (const p of probs) expect(Math.max(...p)).toBeGreaterThan(0.9);
  });

  it('agrees with the TypeScript forward pass (float32 tolerance)', async () => {
    const texts = ['', '!!!', 'hello', ...WARMUP.texts, ...heldOut.slice(0, 48).map((e) => e.text)];
    for (let i = 0; i < texts.length; i += 16) {
      const chunk = texts.slice(i, i + 16);
      const onnx = await probabilities(chunk);
      chunk.forEach((text, j) => {
        const ts = forward(params, tokenIds(text));
        expect(onnx[j]?.[0]).toBeCloseTo(ts[0] ?? NaN, 5);
        expect(onnx[j]?.[1]).toBeCloseTo(ts[1] ?? NaN, 5);
      });
    }
  });

  it('gives a text the same answer alone as in a padded batch', async () => {
    const texts = ['short one', heldOut[0]?.text ?? 'a longer text with more tokens in it'];
    const together = await probabilities(texts);
    const alone = await probabilities([texts[0] ?? '']);
    expect(together[0]?.[1]).toBeCloseTo(alone[0]?.[1] ?? NaN, 6);
  });

  it(`keeps held-out accuracy above ${HELD_OUT_ACCURACY_FLOOR}`, async () => {
    let correct = 0;
    for (let i = 0; i < heldOut.length; i += BATCH) {
      const batch = heldOut.slice(i, i + BATCH);
      const probs = await probabilities(batch.map((e) => e.text));
      batch.forEach((e, j) => {
        const p = probs[j] ?? [];
        if (LABELS[(p[1] ?? 0) > (p[0] ?? 0) ? 1 : 0] === e.label) correct++;
      });
    }
    expect(heldOut.length).toBeGreaterThan(1000);
    expect(correct / heldOut.length).toBeGreaterThanOrEqual(HELD_OUT_ACCURACY_FLOOR);
  }, 60_000);
});
