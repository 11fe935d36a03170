/**
 * `pnpm bench:stack`: fleet against the FastAPI + NGINX stack it replaces, same model, same
 * machine, one run. Each stack is started in turn (health-gated), warmed up, then loaded by the
 * same wrk at c=1 and c=4 (light load: the latency and CPU per request one user sees), at c=32
 * and c=64 on the same payload mix, and at c=32 with 8 texts per request;
 * rounds are interleaved (seed, fleet, fleet, seed…) and medians reported with the ratios
 * fleet/seed and the targets. BENCH_SMOKE=1: one short round, exit 1 on any error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePortsInRange, memoryMb, wrkBinary } from '@fleet/bench-kit';
import { benchConfig, plannedLoadSeconds, type BenchConfig } from './config.js';
import { aptInstall, canInstall, missingBenchPackages, missingIsFatal, skipMessage } from './deps.js';
import { measure, warmUp, type LoadOptions, type LoadSpec, type RunResult } from './measure.js';
import { loadPayloadMix, TEXTS_PER_BATCH } from './payloads.js';
import { runsTable, stacksTable, summarize, targets, targetsTable, totalErrors, type StackRound } from './report.js';
import { fleetBuildAt, startFleetStack, startSeedStack, type FleetBuild, type RunningStack, type StackPorts, type SystemName } from './stacks.js';
import { fleetVersion, loadGenerator, machine, seedVersion } from './versions.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const out = (line = ''): void => void process.stdout.write(`${line}\n`);

/** Missing packages installed when possible; false (after saying why) when the bench cannot run. */
function ensurePackages(): boolean {
  let missing = missingBenchPackages();
  if (missing.length > 0 && canInstall()) {
    aptInstall(missing, log);
    missing = missingBenchPackages();
  }
  if (missing.length === 0) return true;
  log(skipMessage(missing));
  if (missingIsFatal('pnpm bench:stack')) process.exitCode = 1;
  return false;
}

function loads(cfg: BenchConfig): LoadSpec[] {
  const mix = loadPayloadMix();
  const single = (connections: number, kind: 'light' | 'single', durationS: number): LoadSpec =>
    ({ id: `c${connections}`, kind, durationS, connections, requests: mix.single, textsPerRequest: 1 });
  return [
    single(1, 'light', cfg.lightDurationS),
    single(4, 'light', cfg.lightDurationS),
    single(32, 'single', cfg.durationS),
    single(64, 'single', cfg.durationS),
    { id: `c32x${TEXTS_PER_BATCH}`, kind: 'batch', durationS: cfg.durationS, connections: 32, requests: mix.batch, textsPerRequest: TEXTS_PER_BATCH },
  ];
}

const idsOf = (specs: readonly LoadSpec[], kind: LoadSpec['kind']): string[] => specs.filter((s) => s.kind === kind).map((s) => s.id);

type Ports = Record<'seed' | 'fleet' | 'fleetBase', StackPorts>;

function start(system: SystemName, ports: Ports, base: FleetBuild | undefined): Promise<RunningStack> {
  if (system === 'fleet') return startFleetStack(ports.fleet);
  if (system === 'fleet-base') return startFleetStack(ports.fleetBase, base);
  return startSeedStack(ports.seed, system === 'seed' ? 1 : 'auto');
}

/** JIT, pools and keep-alive warm: the single-text mix at c=64, then the 8-text bodies. Returns the errors seen. */
async function warm(stack: RunningStack, specs: LoadSpec[], o: LoadOptions): Promise<number> {
  let errors = 0;
  for (const spec of specs.filter((s) => s.id === 'c64' || s.kind === 'batch')) errors += await warmUp(stack, spec, { ...o, durationS: spec.textsPerRequest > 1 ? Math.max(1, Math.round(o.durationS / 3)) : o.durationS });
  return errors;
}

async function oneStack(system: SystemName, cfg: BenchConfig, specs: LoadSpec[], ports: Ports, wrk: string, base: FleetBuild | undefined): Promise<StackRound> {
  const stack = await start(system, ports, base);
  log(`${system}: all ready in ${Math.round(stack.startToReadyMs)} ms; warming up ${cfg.warmupS} s`);
  const o: LoadOptions = { wrk, durationS: cfg.warmupS, cpus: cfg.wrkCpus || undefined };
  try {
    const warmErrors = await warm(stack, specs, o);
    const runs: RunResult[] = [];
    for (const spec of specs) {
      const r = await measure(stack, spec, { ...o, durationS: spec.durationS });
      log(`${system} ${spec.id}: ${Math.round(r.rps)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors, ${r.cpuS.toFixed(1)} CPU-s (${Math.round(r.reqPerCpuS)} req per CPU-s)`);
      runs.push(r);
    }
    if (warmErrors > 0) log(`${system}: ${warmErrors} failed requests during the warm-up`);
    return { system, startToReadyMs: stack.startToReadyMs, peakRssMb: memoryMb(stack.pids()).peakRssMb, runs, warmupErrors: warmErrors };
  } finally {
    await stack.stop();
  }
}

async function allocatePorts(base: number): Promise<Ports> {
  const p = await freePortsInRange(15, base, base + 199);
  const stack = (i: number): StackPorts => ({ replicas: [p[i] as number, p[i + 1] as number, p[i + 2] as number], proxy: p[i + 3] as number, admin: p[i + 4] as number });
  return { seed: stack(0), fleet: stack(5), fleetBase: stack(10) };
}

function printReport(cfg: BenchConfig, rounds: StackRound[], header: string[], specs: readonly LoadSpec[]): void {
  const summaries = summarize(rounds);
  const seeds = summaries.map((s) => s.system).filter((s) => s !== 'fleet');
  out();
  header.forEach((line) => out(line));
  out();
  out(runsTable(summaries));
  out();
  out(stacksTable(summaries));
  out();
  out(targetsTable(targets(summaries, idsOf(specs, 'single'), idsOf(specs, 'batch')[0] ?? '', idsOf(specs, 'light')), seeds));
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `stack-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ header, config: cfg, rounds, summaries }, null, 2));
  out(`\nraw results: ${file}`);
}

async function main(): Promise<void> {
  const cfg = benchConfig();
  if (!ensurePackages()) return;
  const wrk = wrkBinary() as string;
  const specs = loads(cfg);
  const base = cfg.fleetBase === undefined ? undefined : fleetBuildAt(cfg.fleetBase);
  const ports = await allocatePorts(cfg.portBase);
  const header = [
    `date: ${new Date().toISOString()}${cfg.smoke ? ' (BENCH_SMOKE=1: short run, numbers not comparable)' : ''}`,
    `machine: ${machine()}`,
    `fleet: ${fleetVersion()}`,
    ...(cfg.fleetBase === undefined ? [] : [`fleet-base: ${fleetVersion(cfg.fleetBase)}`]),
    `seed: ${seedVersion()}`,
    `load: ${loadGenerator(cfg.wrkCpus)}; ${cfg.rounds} round(s), order alternating, ${cfg.warmupS} s warm-up, ${cfg.durationS} s per run (${cfg.lightDurationS} s at c=1, c=4); medians`,
  ];
  header.forEach(log);
  const order: SystemName[] = ['seed', ...(cfg.nginxAuto ? (['seed-auto'] as const) : []), ...(base === undefined ? [] : (['fleet-base'] as const)), 'fleet'];
  log(`planned: ${plannedLoadSeconds(cfg, order.length, specs.map((s) => s.durationS))} s of load, plus ${cfg.rounds * order.length} stack start-ups`);
  const rounds: StackRound[] = [];
  for (let round = 0; round < cfg.rounds; round++) {
    for (const system of round % 2 === 0 ? order : [...order].reverse()) rounds.push(await oneStack(system, cfg, specs, ports, wrk, base));
  }
  printReport(cfg, rounds, header, specs);
  const errors = totalErrors(rounds);
  if (errors > 0) {
    log(`${errors} failed requests (non-2xx or socket errors) in the runs above`);
    if (cfg.smoke) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  log(`bench:stack failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
