/**
 * `pnpm --filter @fleet/model-server bench:executors` — what the executor policy's default
 * (INLINE_MAX_US in src/model/policy.ts) rests on: the CPU one batch costs run inline on the
 * main thread against the same batch sent to a worker (postMessage, structured clone of texts
 * and outputs, waking the worker and the event loop). CPU of the whole process (every thread)
 * from process.cpuUsage(), batches run one after another, a warm-up first. Bounded: ~10 s.
 */
import { defaultModelPath } from '@fleet/model';
import { createWorkerPool } from '../src/model/pool.js';
import { openSession, runJob } from '../src/model/session.js';
import { makeCorpus } from './corpus.js';

const SMOKE = process.env.BENCH_SMOKE === '1';
const ROUNDS = SMOKE ? 200 : 2000;
const corpus = makeCorpus(500);
const short = (n: number) => corpus.slice(0, n).map((t) => t.split(' ').slice(0, 8).join(' '));

async function cpuPerBatch(run: () => Promise<unknown>): Promise<{ cpuUs: number; wallUs: number }> {
  for (let i = 0; i < ROUNDS / 4; i += 1) await run();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i += 1) await run();
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / ROUNDS, wallUs: ((performance.now() - start) * 1000) / ROUNDS };
}

const inline = await openSession(defaultModelPath, { intraOpThreads: 1 });
const pool = await createWorkerPool({ modelPath: defaultModelPath, workers: 1, intraOpThreads: 1 });
try {
  console.log(`executor cost per batch (${ROUNDS} batches each, CPU of every thread of this process)`);
  console.log('| batch | inline CPU | inline wall | worker CPU | worker wall | worker − inline CPU |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  const batches: [string, string[]][] = [
    ['1 × 8 words', short(1)],
    ['4 × 8 words', short(4)],
    ['1 × 200 words', [corpus.find((t) => t.split(' ').length >= 200) as string]],
    ['8 × 8 words', short(8)],
    ['32 × mixed', corpus.slice(0, 32)],
  ];
  for (const [name, texts] of batches) {
    const job = { kind: 'text' as const, texts };
    const a = await cpuPerBatch(() => runJob(inline, job));
    const b = await cpuPerBatch(() => pool.run(job));
    const f = (n: number) => `${n.toFixed(0)} µs`;
    console.log(`| ${name} | ${f(a.cpuUs)} | ${f(a.wallUs)} | ${f(b.cpuUs)} | ${f(b.wallUs)} | ${f(b.cpuUs - a.cpuUs)} |`);
  }
} finally {
  await pool.close();
  await inline.release();
}
