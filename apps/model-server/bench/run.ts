/**
 * `pnpm --filter @fleet/model-server bench [-- other/dist/main.js …]` — issue 11's numbers, not
 * pass/fail. Each build (this one, then any given, e.g. a build of the starting commit) runs
 * in turn, twice, the order reversed every round (A, B, then B, A) so that neither build always
 * runs first (whatever runs first in a round meets a machine just left by the other build's
 * three-replica start); medians of the two rounds. Loopback only, bounded (~45 s per build and
 * round; BENCH_SMOKE=1: ~12 s).
 *
 * Per build and round: start → ready of one replica; a warm-up; then, on the payload mix (four
 * 8-word texts, one 200-word text), p50 at c=1 (timed here), CPU per request at c=8, c=2, c=64
 * (every thread of the replica, from /proc), rows/s with 8 texts per request; the same app's
 * HTTP floor (`POST /bench/echo`, BENCH_ECHO=on: same schemas and hooks, no inference) at c=1
 * and c=8 (c=8 in 1 s phases alternated with /predict's, the ratio taken within the block:
 * `c8Phases`, `c8Metrics`); the thread count after each c=64 phase (a started inference
 * worker shows there); peak RSS (VmHWM); then three replicas started at once, until all are ready.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { peakRss, startServer, threadCount } from './http.js';
import { p50AtOne, runPhase, type Phase, type PhaseResult } from './load.js';
import { c8Metrics, c8Phases, issue11Targets, medianMetrics, roundOrder, tableLines, targetLines, type Metrics } from './summary.js';

const SMOKE = process.env.BENCH_SMOKE === '1';
const SECONDS = SMOKE ? 1 : 4;
const WARMUP_MS = SMOKE ? 1000 : 8000;
const P50_REQUESTS = SMOKE ? 300 : 2000;
const ROUNDS = 2;
/** The c=8 block: floor and /predict phases alternated (c8Phases), 8 s in all as before. */
const C8_PAIRS = SMOKE ? 2 : 4;
const C8_PHASE_MS = SMOKE ? 500 : 1000;
const THIS_BUILD = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const PHASES: [string, Phase][] = [
  ['cpu c=2', { path: '/predict', concurrency: 2, durationMs: SECONDS * 1000 }],
  ['cpu c=64', { path: '/predict', concurrency: 64, durationMs: SECONDS * 1000 }],
  ['rows/s ×8 c=64', { path: '/predict', concurrency: 64, durationMs: SECONDS * 1000, textsPerRequest: 8 }],
];

async function checkedPhase(name: string, url: string, pid: number, phase: Phase): Promise<PhaseResult> {
  const r = await runPhase(url, pid, phase);
  if (r.errors > 0) throw new Error(`${name}: ${r.errors} of ${r.requests} requests failed`);
  return r;
}

/** c=8 on /predict and on the bare route, in short phases alternated within one block (c8Phases). */
async function c8Block(url: string, pid: number, echo: boolean): Promise<Metrics> {
  const us: Record<'predict' | 'floor', number[]> = { predict: [], floor: [] };
  for (const route of c8Phases(C8_PAIRS)) {
    if (route === 'floor' && !echo) continue;
    const path = route === 'floor' ? '/bench/echo' : '/predict';
    us[route].push((await checkedPhase(`${route} c=8`, url, pid, { path, concurrency: 8, durationMs: C8_PHASE_MS })).cpuUsPerRequest);
  }
  return c8Metrics(us.predict, us.floor);
}

async function hasEcho(url: string): Promise<boolean> {
  const res = await fetch(`${url}/bench/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
  await res.arrayBuffer();
  return res.status === 200;
}

async function measureOne(mainJs: string): Promise<Metrics> {
  const server = await startServer({ BENCH_ECHO: 'on' }, mainJs);
  const pid = server.child.pid as number;
  const m: Metrics = { 'start one (ms)': server.startToReadyMs };
  try {
    await runPhase(server.url, pid, { path: '/predict', concurrency: 8, durationMs: WARMUP_MS });
    const echo = await hasEcho(server.url);
    m['p50 c=1 (ms)'] = await p50AtOne(server.url, '/predict', P50_REQUESTS);
    if (echo) m['floor p50 c=1 (ms)'] = await p50AtOne(server.url, '/bench/echo', P50_REQUESTS);
    Object.assign(m, await c8Block(server.url, pid, echo));
    for (const [name, phase] of PHASES) {
      const r = await checkedPhase(name, server.url, pid, phase);
      m[name.startsWith('rows') ? name : `${name} (µs/req)`] = name.startsWith('rows') ? r.rowsPerSec : r.cpuUsPerRequest;
      // c=64's CPU is bimodal between rounds; the thread count tells whether a worker started
      if (name === 'cpu c=64') m['threads after c=64'] = (await threadCount(pid)) ?? Number.NaN;
      // the cost model fitted on earlier phases can start one for 8-text batches (ms10)
      if (name.startsWith('rows')) m['threads after ×8 c=64'] = (await threadCount(pid)) ?? Number.NaN;
    }
    m['peak RSS (MB)'] = ((await peakRss(pid)) ?? Number.NaN) / 2 ** 20;
  } finally {
    await server.stop();
  }
  return m;
}

/** Three replicas spawned together: time until the last one is ready. */
async function startThree(mainJs: string): Promise<number> {
  const start = performance.now();
  const servers = await Promise.all([1, 2, 3].map((i) => startServer({ SERVER_ID: `bench-${i}` }, mainJs)));
  const allReady = performance.now() - start;
  await Promise.all(servers.map((s) => s.stop()));
  return allReady;
}

function report(builds: string[], runs: Metrics[][]): Metrics[] {
  const medians = runs.map(medianMetrics);
  for (const line of tableLines(builds, medians, ROUNDS)) console.log(line);
  return medians;
}

async function main(): Promise<void> {
  const builds = [THIS_BUILD, ...process.argv.slice(2).filter((a) => a !== '--')];
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
  console.log(`model-server bench${SMOKE ? ' (smoke)' : ''} — ${new Date().toISOString()} — ${machine}, load average ${loadavg()[0]?.toFixed(1)}`);
  const runs: Metrics[][] = builds.map(() => []);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const i of roundOrder(builds.length, round)) {
      const build = builds[i] as string;
      const m = await measureOne(build);
      m['start three (ms)'] = await startThree(build);
      (runs[i] as Metrics[]).push(m);
      console.log(`round ${round + 1}, ${i === 0 ? 'this build' : build}: ${JSON.stringify(m, (_k, x: unknown) => (typeof x === 'number' ? Math.round(x * 100) / 100 : x))}`);
    }
  }
  const medians = report(builds, runs);
  for (const line of targetLines(issue11Targets(medians[0] as Metrics, medians[1]))) console.log(line);
}

await main();
