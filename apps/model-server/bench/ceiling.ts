/**
 * The ceiling: batched inference in-process on the main thread, one session using every core
 * for intra-op threads (the same compute budget as the server's pool), no HTTP, no batcher,
 * no thread hop. onnxruntime-node runs session.run synchronously, so one session per process
 * thread is the raw number.
 */
import { availableParallelism } from 'node:os';
import { defaultModelPath } from '@fleet/model';
import { textFeeds } from '../src/model/graph.js';
import { openSession, runFeeds } from '../src/model/session.js';

export interface CeilingResult {
  intraOpThreads: number;
  batchSize: number;
  /** featurize + session.run, rows per second. */
  rowsPerSec: number;
  /** session.run alone (features prepared beforehand), rows per second. */
  runOnlyRowsPerSec: number;
}

async function rowsPerSecond(durationMs: number, batchSize: number, step: (i: number) => Promise<void>): Promise<number> {
  let batches = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    await step(batches);
    batches += 1;
  }
  return (batches * batchSize) / ((performance.now() - start) / 1000);
}

export async function measureCeiling(corpus: string[], batchSize: number, durationMs: number): Promise<CeilingResult> {
  const intraOpThreads = availableParallelism();
  const session = await openSession(defaultModelPath, { intraOpThreads });
  const batchAt = (i: number) => Array.from({ length: batchSize }, (_, k) => corpus[(i * batchSize + k) % corpus.length] as string);
  const prepared = Array.from({ length: 16 }, (_, i) => textFeeds(batchAt(i)));
  await runFeeds(session, prepared[0] as ReturnType<typeof textFeeds>);

  const rowsPerSec = await rowsPerSecond(durationMs, batchSize, async (i) => {
    await runFeeds(session, textFeeds(batchAt(i)));
  });
  const runOnlyRowsPerSec = await rowsPerSecond(durationMs, batchSize, async (i) => {
    await runFeeds(session, prepared[i % prepared.length] as ReturnType<typeof textFeeds>);
  });
  await session.release();
  return { intraOpThreads, batchSize, rowsPerSec, runOnlyRowsPerSec };
}
