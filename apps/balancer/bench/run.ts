/**
 * `pnpm --filter @fleet/balancer bench` (issue 9): for each target of `targets.ts` — direct (no
 * proxy), NGINX 1 worker, fleet on `client: undici`, fleet on its engine (the default) — on the
 * trivial backend and on `POST /predict` through two real model-server replicas: CPU µs per
 * request of the proxy process from /proc, × NGINX, req/s, p50/p99, p99 added over direct, peak
 * RSS. All targets run side by side and are measured in interleaved rounds (A, B, C, D, A, …),
 * medians reported, pinned (proxy on CPU 0; wrk and the backends on CPU 1) and unpinned. wrk,
 * loopback only, bounded durations; run it under `cpu-lock exclusive`. Numbers, not pass/fail:
 * it exits 1 only when a request failed (non-2xx or socket error, warm-up included).
 * BENCH_SMOKE=1: one round of 1 s per target and mode. Settings: `config.ts`.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { freePortsInRange, memoryMb, nginxBinary, nginxVersion, wrkBinary, wrkVersion, type ListeningProcess } from '@fleet/bench-kit';
import { missingTool, missingToolError } from '../../../.ci/require-tool.mjs';
import { benchConfig, type BenchConfig } from './config.js';
import { measure, placeProcesses, warmUp, type Load, type Sample } from './measure.js';
import { summarize, table, verdicts } from './report.js';
import { BALANCER_MAIN, backendPids, SCENARIOS, startBackends, startTarget, type Running, type Scenario } from './stack.js';
import type { Target } from './targets.js';

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
  for (const [i, t] of targets.entries()) running.push(await startTarget(t, backends, [ports[2 * i] ?? 0, ports[2 * i + 1] ?? 0], nginx));
  return running;
}

async function rounds(cfg: BenchConfig, running: readonly Running[], backends: readonly ListeningProcess[], load: Load): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const mode of cfg.modes) {
    const wrkCpus = placeProcesses(mode, running.flatMap((r) => r.pids()), backendPids(backends));
    for (let round = 0; round < cfg.rounds; round++) {
      for (const r of running) samples.push(await measure(r, load, cfg.durationS, mode, wrkCpus));
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
    const failures: string[] = [];
    for (const r of running) {
      const failed = await warmUp(r, load, r.target.kind === 'fleet' ? cfg.warmupS : Math.min(cfg.warmupS, 3));
      if (failed > 0) failures.push(`${s.name}, ${r.target.name}, warm-up: ${failed} failed requests`);
    }
    const samples = await rounds(cfg, running, backends, load);
    const peakRss = new Map(running.filter((r) => r.target.kind !== 'direct').map((r) => [r.target.name, memoryMb(r.pids()).peakRssMb] as const));
    const rows = summarize(targets, cfg.modes, samples, peakRss);
    out(`\n## ${s.title}\n`);
    out(table(rows));
    out();
    verdicts(rows, s.cpuTarget).forEach((line) => out(`- ${line}`));
    for (const x of samples) if (x.failed > 0) failures.push(`${s.name}, ${x.target} ${x.mode}: ${x.failed} failed requests`);
    return failures;
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all(backends.map((b) => b.stop()));
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const cfg = benchConfig(process.env);
  if (!existsSync(BALANCER_MAIN)) throw new Error('dist/main.js missing: run `pnpm --filter @fleet/balancer build` first');
  const wrk = tool('wrk', wrkBinary, 'the balancer bench load generator');
  if (wrk === undefined) return;
  const nginx = tool('nginx', nginxBinary, 'the balancer bench NGINX baseline');
  const targets = cfg.targets.filter((t) => t.kind !== 'nginx' || nginx !== undefined);
  const ports = await freePortsInRange(2 * targets.length, cfg.portBase, cfg.portBase + 199);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  out(`${new Date().toISOString()}, ${cpu} ×${cpus().length}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.versions.node}, ${nginx === undefined ? 'no NGINX' : nginxVersion(nginx)}, ${wrkVersion(wrk)}`);
  out(`wrk -t1 -c${cfg.connections}; ${cfg.rounds} interleaved round(s) × ${cfg.durationS} s per target and mode after ${cfg.warmupS} s of warm-up (fleet); medians; pinned = proxy on CPU 0, wrk + backends on CPU 1`);
  const failures: string[] = [];
  for (const name of cfg.scenarios) failures.push(...(await scenario(SCENARIOS[name], cfg, targets, ports, wrk, nginx)));
  out(`\nwhole run: ${Math.round((performance.now() - started) / 1000)} s`);
  if (failures.length > 0) throw new Error(`requests failed during the bench:\n  ${failures.join('\n  ')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
