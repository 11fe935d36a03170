/**
 * How a batch is timed for the executor cost model (session.ts `runJob`): featurization and the
 * session's own run, never the time the run waited for the event loop's check phase. On a loaded
 * replica that wait (a burst of socket reads, any stall) is milliseconds; counted as inference it
 * made small batches look long and WORKERS=auto started a worker the model did not need.
 * Real onnxruntime session, fake clock: the clock moves only where the test moves it. Also which
 * outputs a job fetches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type ort from 'onnxruntime-node';
import { defaultModelPath } from '@fleet/model';
import { openSession, runJob } from '../src/model/session.js';

let session: ort.InferenceSession;
beforeAll(async () => {
  session = await openSession(defaultModelPath, { intraOpThreads: 1 });
});
afterAll(async () => {
  await session.release();
});

describe('runJob timing', () => {
  it('does not count a stall of the event loop before the run starts', async () => {
    let t = 0;
    // queued before the job: runs in the same check phase, before the session's run
    setImmediate(() => {
      t += 1000;
    });
    const result = await runJob(session, { kind: 'text', texts: ['free money now', 'see you at lunch'] }, () => t);
    expect(result.inferenceMs).toBe(0);
    expect(result.outputs).toHaveProperty('probabilities');
  });

  it('counts featurization and the run itself', async () => {
    let t = 0;
    const now = (): number => (t += 1); // every reading is one ms later
    const result = await runJob(session, { kind: 'tensors', feeds: {} }, now).catch(() => undefined);
    expect(result).toBeUndefined(); // a bad job still rejects (and clears its marker)
    t = 0;
    const ok = await runJob(session, { kind: 'text', texts: ['hello'] }, now);
    // readings: start, after the synchronous part, the run's start, the end: (1 - 0) + (3 - 2)
    expect(ok.inferenceMs).toBe(2);
  });
});

describe('runJob outputs', () => {
  it('a text job fetches the probabilities only (no logits copied out and split per request)', async () => {
    const result = await runJob(session, { kind: 'text', texts: ['free money now', 'see you at lunch'] });
    expect(Object.keys(result.outputs)).toEqual(['probabilities']);
    expect(result.outputs.probabilities?.dims).toEqual([2, 2]);
  });

  it('a tensor job without fetches still gets every output of the graph', async () => {
    const ids = new BigInt64Array([5n, 6n, 0n]);
    const mask = new Float32Array([1, 1, 0]);
    const result = await runJob(session, {
      kind: 'tensors',
      feeds: { input_ids: { type: 'int64', data: ids, dims: [1, 3] }, attention_mask: { type: 'float32', data: mask, dims: [1, 3] } },
    });
    expect(Object.keys(result.outputs).sort()).toEqual(['logits', 'probabilities']);
  });
});
