/**
 * `pnpm --filter @fleet/balancer bench` (issue 9): for each target of `targets.ts` — direct (no
 * proxy), NGINX 1 worker, fleet on `client: undici`, fleet on its engine (the default) — on the
 * trivial backend and on `POST /predict` through two real model-server replicas: CPU µs per
 * request of the proxy process from /proc, × NGINX, req/s, p50/p99, p99 added over direct, peak
 * RSS. All targets run side by side and are measured in interleaved rounds (A, B, C, D, A, …),
 * medians reported, pinned (proxy on CPU 0; wrk and the backends on CPU 1) and unpinned. wrk,
 * loopback only, bounded durations; run it under `cpu-lock exclusive`. Numbers, not pass/fail:
 * it exits 1 only when a request failed (non-2xx or socket error, warm-up included).
 * BENCH_SMOKE=1: one round of 1 s per target and mode. Settings: `config.ts`; the arithmetic
 * (samples, medians, ratios, issue 9's judgements, the exit code) is pure, in `samples.ts`,
 * `plan.ts` and `report.ts`, with tests beside them.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { freePortsInRange, memoryMb, nginxBinary, nginxVersion, wrkBinary, wrkVersion, type ListeningProcess } from '@fleet/bench-kit';
import { missingTool, missingToolError } from '../../../.ci/require-tool.mjs';
import { benchConfig, PORT_SPAN, type BenchConfig } from './config.js';
import { measure, placeProcesses, warmUp, type Load } from './measure.js';
import { portPair, portsNeeded, warmupSeconds } from './plan.js';
import { roundLine, runHeader, summarize, table, verdicts } from './report.js';
import { failureOf, runOutcome, sampleFailures, type Sample } from './samples.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { BALANCER_MAIN, backendPids, startBackends, startTarget, type Running } from './stack.js';
import { runnableTargets, type Target } from './targets.js';

const out = (line = ''): void => void process.stdout.write(`${line}\n`);

/** Tool binaries; undefined = skipped by the shared rule (fails under CI=true unless FLEET_SKIP names it). */
function tool(name: 'wrk' | 'nginx', find: () => string | undefined, check: string): string | undefined {
  const bin = find();
  if (bin !== undefined) return bin;
  if (missingTool(name, check) === 'fail') throw new Error(missingToolError(name, check));
  out(`${name} skipped: not installed (apt-get install -y ${name})`);
  return undefined;
}

async function startAll(targets: readonly Target[], backends: readonly ListeningProcess[], ports: number[], nginx: string | undefined): Promise<Running[]> {
  const running: Running[] = [];
  for (const [i, t] of targets.entries()) running.push(await startTarget(t, backends, portPair(ports, i), nginx));
  return running;
}

/** Warms every target up; returns the failures seen. */
async function warmUps(s: Scenario, cfg: BenchConfig, running: readonly Running[], load: Load): Promise<string[]> {
  const failures: string[] = [];
  for (const r of running) {
    const seconds = warmupSeconds(r.target, cfg.warmupS);
    if (seconds === 0) continue;
    const failure = failureOf(`${s.name}, ${r.target.name}, warm-up`, await warmUp(r, load, seconds));
    if (failure !== undefined) failures.push(failure);
  }
  return failures;
}

async function rounds(cfg: BenchConfig, running: readonly Running[], backends: readonly ListeningProcess[], load: Load): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const mode of cfg.modes) {
    const wrkCpus = placeProcesses(mode, running.flatMap((r) => r.pids()), backendPids(backends));
    for (let round = 0; round < cfg.rounds; round++) {
      for (const r of running) {
        const sample = await measure(r, load, cfg.durationS, mode, wrkCpus);
        out(roundLine(round, sample));
        samples.push(sample);
      }
    }
  }
  return samples;
}

/** Runs one scenario, prints its table; returns what failed. */
async function scenario(s: Scenario, cfg: BenchConfig, targets: readonly Target[], ports: number[], wrk: string, nginx: string | undefined): Promise<string[]> {
  const load: Load = { wrk, requests: s.requests, connections: cfg.connections };
  const backends = await startBackends(s.name);
  const running: Running[] = [];
  try {
    running.push(...(await startAll(targets, backends, ports, nginx)));
    const failures = await warmUps(s, cfg, running, load);
    const samples = await rounds(cfg, running, backends, load);
    const peakRss = new Map(running.filter((r) => r.target.kind !== 'direct').map((r) => [r.target.name, memoryMb(r.pids()).peakRssMb] as const));
    const rows = summarize(targets, cfg.modes, samples, peakRss);
    out(`\n## ${s.title}\n`);
    out(table(rows));
    out();
    verdicts(rows, s.cpuTarget).forEach((line) => out(`- ${line}`));
    return [...failures, ...sampleFailures(s.name, samples)];
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(backends.map((b) => b.stop()));
  }
}

/** Runs the bench; returns its exit code. */
async function main(): Promise<number> {
  const started = performance.now();
  const cfg = benchConfig(process.env);
  if (!existsSync(BALANCER_MAIN)) throw new Error('dist/main.js missing: run `pnpm --filter @fleet/balancer build` first');
  const wrk = tool('wrk', wrkBinary, 'the balancer bench load generator');
  if (wrk === undefined) return 0;
  const nginx = tool('nginx', nginxBinary, 'the balancer bench NGINX baseline');
  const targets = runnableTargets(cfg.targets, nginx !== undefined);
  const ports = await freePortsInRange(portsNeeded(targets), cfg.portBase, cfg.portBase + PORT_SPAN - 1);
  const info = { at: new Date(), cpuModel: cpus()[0]?.model ?? 'unknown CPU', cpuCount: cpus().length, loadAverage: loadavg(), node: process.versions.node, nginx: nginx === undefined ? undefined : nginxVersion(nginx), wrk: wrkVersion(wrk) };
  runHeader(info, cfg).forEach((line) => out(line));
  const failures: string[] = [];
  for (const name of cfg.scenarios) failures.push(...(await scenario(SCENARIOS[name], cfg, targets, ports, wrk, nginx)));
  out(`\nwhole run: ${Math.round((performance.now() - started) / 1000)} s`);
  const outcome = runOutcome(failures);
  if (outcome.message !== undefined) process.stderr.write(`bench failed: ${outcome.message}\n`);
  return outcome.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
