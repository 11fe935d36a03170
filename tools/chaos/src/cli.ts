#!/usr/bin/env node
/**
 * `pnpm chaos`: three real model-server replicas; for every fault, a fresh fleet balancer and a
 * fresh NGINX (when installed) in front of them in turn, the same wrk load, the same fault at
 * the same moment. Prints one table and the issue's targets. Loopback only, bounded, and every
 * process and temp dir is removed at the end, on an error and on Ctrl-C.
 * CHAOS_SMOKE=1: short windows for CI (about two minutes).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePortsInRange, nginxBinary, nginxVersion, wrkBinary, wrkVersion } from '@fleet/bench-kit';
import { targetResults, type RunRecord } from './analysis.js';
import { chaosConfig, type ChaosConfig } from './config.js';
import { faultPlan, planBoundS } from './plan.js';
import { ReplicaSet } from './replicas.js';
import { executeRun } from './run.js';
import { chaosTable, targetsTable } from './table.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const out = (line = ''): void => void process.stdout.write(`${line}\n`);

function tools(cfg: ChaosConfig): { wrk: string; nginx: string | undefined } | undefined {
  const wrk = wrkBinary();
  if (wrk === undefined) {
    log('chaos skipped: wrk is not installed (apt-get install -y wrk)');
    if (process.env.CI === 'true') process.exitCode = 1;
    return undefined;
  }
  const nginx = nginxBinary();
  if (nginx === undefined && cfg.systems.includes('nginx')) {
    log('NGINX runs skipped: nginx is not installed (apt-get install -y nginx); fleet runs alone');
    cfg.systems = cfg.systems.filter((s) => s !== 'nginx');
  }
  return { wrk, nginx };
}

function commit(): string {
  const out = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : 'unknown commit';
}

function report(cfg: ChaosConfig, records: RunRecord[], header: string[]): void {
  out();
  header.forEach((h) => out(h));
  out();
  out(chaosTable(records));
  out();
  out(targetsTable(targetResults(records, { headerTimeoutS: cfg.headerTimeoutS, perTryTimeoutMs: cfg.perTryTimeoutMs })));
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ header, config: cfg, records }, null, 2));
  out(`\nraw results: ${file}`);
}

async function main(): Promise<void> {
  const cfg = chaosConfig();
  const found = tools(cfg);
  if (!found) return;
  const plan = faultPlan(cfg);
  const p = await freePortsInRange(7, cfg.portBase, cfg.portBase + 99);
  const at = (i: number): number => p[i] as number;
  const header = [
    `date: ${new Date().toISOString()}${cfg.smoke ? ' (CHAOS_SMOKE=1: short windows)' : ''}`,
    `systems: fleet balancer (${commit()}, Node ${process.versions.node})${found.nginx ? `, ${nginxVersion(found.nginx)} (1 worker)` : ''}; 3 model-server replicas shared by both`,
    `load: ${wrkVersion(found.wrk)}, POST /predict, c=${cfg.concurrency} (kill -9 also at ${cfg.killConcurrencies.join(', ')}), ${cfg.warmupS} s warm-up per run, pause ${cfg.pauseS} s, header timeout ${cfg.headerTimeoutS} s`,
  ];
  header.forEach(log);
  log(`${plan.length} runs, at most ~${Math.round(planBoundS(plan, cfg) / 60)} min`);
  const replicas = new ReplicaSet([at(0), at(1), at(2)]);
  const records: RunRecord[] = [];
  try {
    await replicas.ready();
    for (const [i, run] of plan.entries()) {
      log(`[${i + 1}/${plan.length}] ${run.fault} on ${run.system} at c=${run.concurrency} (${run.windowS} s)`);
      const rec = await executeRun(run, { cfg, replicas, ports: { port: at(3), adminPort: at(4), responder: at(5) }, nginxBin: found.nginx, wrk: found.wrk, log });
      log(`  ${rec.load.requests} requests, ${rec.load.non2xx} non-2xx, p99 ${Math.round(rec.load.p99Ms)} ms${rec.note ? `; ${rec.note}` : ''}`);
      records.push(rec);
    }
  } finally {
    await replicas.stopAll();
  }
  report(cfg, records, header);
}

main().catch((error: unknown) => {
  log(`chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
