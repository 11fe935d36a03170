/**
 * `pnpm --filter @fleet/model-server bench` — numbers, not pass/fail. Loopback only, bounded in
 * time (about 40 s; BENCH_SMOKE=1 for a ~10 s smoke run). Needs a build (turbo's bench task
 * depends on build).
 *
 *   ceiling   featurize + session.run in-process, batch = maxBatchSize (32)
 *   /predict  one text per request at concurrency 1, 8, 64 through the real server
 *   ratio     /predict rows/s at 64 ÷ ceiling (goal ≥ 0.8); p50/p99; peak RSS (goal < 250 MB);
 *             start-to-ready (goal < 1 s)
 *   extra     c=64 with 8 texts per request (HTTP cost spread over more rows)
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { measureCeiling } from './ceiling.js';
import { makeCorpus } from './corpus.js';
import { peakRss, runLoad, startServer, type LoadResult } from './http.js';

const SMOKE = process.env.BENCH_SMOKE === '1';
const DURATION_MS = SMOKE ? 1000 : 5000;
const CONCURRENCY = [1, 8, 64];
const BATCH = 32;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const corpus = makeCorpus(2000);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`;
  console.log(`model-server bench${SMOKE ? ' (smoke)' : ''} — ${machine}`);

  const ceiling = await measureCeiling(corpus, BATCH, DURATION_MS);
  console.log(
    `ceiling (in-process, batch ${BATCH}, ${ceiling.intraOpThreads} intra-op threads): ` +
      `${fmt(ceiling.rowsPerSec)} rows/s featurize+run, ${fmt(ceiling.runOnlyRowsPerSec)} rows/s session.run only`,
  );

  const server = await startServer();
  const results: LoadResult[] = [];
  try {
    console.log(`start → ready: ${fmt(server.startToReadyMs)} ms (spawn to "listening"; in-process ${server.startupMs} ms)`);
    const warm = await runLoad(server.url, corpus, { concurrency: 8, durationMs: 1000 }); // warm-up (JIT, connections)
    results.push(warm);
    const runs = [
      ...CONCURRENCY.map((concurrency) => ({ concurrency, durationMs: DURATION_MS })),
      { concurrency: 64, durationMs: DURATION_MS, textsPerRequest: 8 },
    ];
    for (const run of runs) {
      const r = await runLoad(server.url, corpus, run);
      results.push(r);
      console.log(
        `/predict c=${String(r.concurrency).padStart(2)}${r.textsPerRequest > 1 ? ` ×${r.textsPerRequest} texts` : ''}: ` +
          `${fmt(r.rowsPerSec).padStart(7)} rows/s  p50 ${fmt(r.p50Ms, 2)} ms  p99 ${fmt(r.p99Ms, 2)} ms  ` +
          `(${r.requests} requests, ${r.errors} errors)  ratio ${fmt(r.rowsPerSec / ceiling.rowsPerSec, 2)}`,
      );
    }
    const rss = await peakRss(server.child.pid as number);
    console.log(`peak RSS of the server: ${rss === undefined ? 'n/a' : `${fmt(rss / 2 ** 20, 1)} MB`} (goal < 250 MB)`);
    const at64 = results.find((r) => r.concurrency === 64 && r.textsPerRequest === 1);
    if (at64) console.log(`ratio at c=64: ${fmt(at64.rowsPerSec / ceiling.rowsPerSec, 2)} (goal ≥ 0.8)`);
  } finally {
    await server.stop();
  }
  // Numbers, not thresholds; but a run where requests failed measured nothing: exit 1.
  const failed = results.filter((r) => r.errors > 0);
  if (failed.length > 0) {
    const list = failed.map((r) => `c=${r.concurrency} ×${r.textsPerRequest}: ${r.errors} of ${r.requests} failed or non-2xx`);
    throw new Error(`requests failed during the bench: ${list.join('; ')}`);
  }
}

await main();
