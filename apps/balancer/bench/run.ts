import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { nginxBinary, startNginx } from './nginx.js';
import { peakRssMb, spawnListening, type Proc } from './processes.js';
import { missingTool, missingToolError } from '../../../.ci/require-tool.mjs';

/**
 * `pnpm --filter @fleet/balancer bench`: one load generator (autocannon, in this process),
 * loopback only, bounded durations. For a trivial backend and then for real model-server
 * replicas on /predict: direct, through NGINX (when installed; one worker) and through fleet
 * (one process, on the engine's upstream client; `undici` = the same on `client: undici`). Prints req/s, p50/p99, the ratios and the added latency, and peak RSS.
 * Numbers, not pass/fail. BENCH_SMOKE=1: one second per run.
 */
const SMOKE = process.env.BENCH_SMOKE === '1';
const DURATION_S = SMOKE ? 1 : Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = SMOKE ? 8 : Number(process.env.BENCH_CONNECTIONS ?? 50);
const here = fileURLToPath(new URL('.', import.meta.url));
const BALANCER_MAIN = join(here, '../dist/main.js');
const MODEL_SERVER_MAIN = createRequire(import.meta.url).resolve('@fleet/model-server/main');

interface Load {
  path: string;
  method: 'GET' | 'POST';
  body?: string;
}
interface Row {
  target: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  rssMb?: number;
}

async function measure(target: string, port: number, load: Load): Promise<Row> {
  const opts = {
    url: `http://127.0.0.1:${port}${load.path}`,
    method: load.method,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { 'content-type': 'application/json' },
    ...(load.body === undefined ? {} : { body: load.body }),
  };
  const warm = await autocannon({ ...opts, duration: SMOKE ? 1 : 2 }); // warm-up: JIT, pools, keep-alive
  const r = await autocannon(opts);
  // Every failed or non-2xx answer, warm-up included, fails the bench (see `failures`).
  const errors = r.errors + r.timeouts + warm.errors + warm.timeouts;
  return { target, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors, non2xx: r.non2xx + warm.non2xx };
}

async function startFleet(upstreams: string[], dir: string, client: 'engine' | 'undici'): Promise<Proc> {
  const file = join(dir, `fleet-${upstreams.length}-${client}.json`);
  writeFileSync(file, JSON.stringify({ upstreams: { default: { servers: upstreams, client } }, accessLog: { enabled: false }, logLevel: 'warn' }));
  return spawnListening(process.execPath, [BALANCER_MAIN], { CONFIG_FILE: file, PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'info' });
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits).padStart(9);
}

function report(title: string, rows: Row[]): void {
  const direct = rows.find((r) => r.target === 'direct');
  const nginx = rows.find((r) => r.target === 'nginx');
  const fleet = rows.find((r) => r.target === 'fleet');
  process.stdout.write(`\n## ${title} (${CONNECTIONS} connections, ${DURATION_S}s)\n`);
  process.stdout.write('target       req/s   p50 ms   p99 ms   errors   non2xx  peak RSS MB\n');
  for (const r of rows) {
    process.stdout.write(`${r.target.padEnd(7)}${fmt(r.rps, 0)}${fmt(r.p50)}${fmt(r.p99)}${fmt(r.errors, 0)}${fmt(r.non2xx, 0)}${r.rssMb === undefined ? '' : fmt(r.rssMb, 0)}\n`);
  }
  if (direct && fleet) {
    process.stdout.write(`fleet/direct req/s ${(fleet.rps / direct.rps).toFixed(2)}x; added latency p50 +${(fleet.p50 - direct.p50).toFixed(1)} ms, p99 +${(fleet.p99 - direct.p99).toFixed(1)} ms\n`);
  }
  if (direct && nginx) {
    process.stdout.write(`nginx/direct req/s ${(nginx.rps / direct.rps).toFixed(2)}x; added latency p50 +${(nginx.p50 - direct.p50).toFixed(1)} ms, p99 +${(nginx.p99 - direct.p99).toFixed(1)} ms\n`);
  }
  if (nginx && fleet) process.stdout.write(`fleet/nginx req/s ${(fleet.rps / nginx.rps).toFixed(2)}x (goal >= 0.9x)\n`);
  const undici = rows.find((r) => r.target === 'undici');
  if (undici && fleet) process.stdout.write(`fleet engine/undici req/s ${(fleet.rps / undici.rps).toFixed(2)}x\n`);
}

async function scenario(title: string, upstreams: Proc[], load: Load, dir: string, nginx: string | undefined): Promise<void> {
  const addresses = upstreams.map((u) => `127.0.0.1:${u.port}`);
  const rows: Row[] = [await measure('direct', upstreams[0]?.port ?? 0, load)];
  if (nginx !== undefined) {
    const n = await startNginx(nginx, addresses, 1);
    try {
      rows.push({ ...(await measure('nginx', n.port, load)), rssMb: peakRssMb(n.pids()) });
    } finally {
      await n.stop();
    }
  }
  // `fleet` on the engine's upstream client, `undici` = fleet on `client: undici` (the previous path).
  for (const [name, client] of [['fleet', 'engine'], ['undici', 'undici']] as const) {
    const fleet = await startFleet(addresses, dir, client);
    try {
      rows.push({ ...(await measure(name, fleet.port, load)), rssMb: peakRssMb([fleet.child.pid ?? 0]) });
    } finally {
      await fleet.stop();
    }
  }
  if (upstreams.length > 1) process.stdout.write(`(direct = one replica; nginx and fleet balance over ${upstreams.length})\n`);
  report(title, rows);
  for (const r of rows) {
    if (r.errors > 0 || r.non2xx > 0) failures.push(`${title}, ${r.target}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
  }
}

/** Runs that had any error or non-2xx answer: the bench exits 1 when there is one. */
const failures: string[] = [];

async function main(): Promise<void> {
  if (!existsSync(BALANCER_MAIN)) throw new Error('dist/main.js missing: run `pnpm --filter @fleet/balancer build` first');
  const nginx = nginxBinary();
  if (nginx === undefined) {
    if (missingTool('nginx', 'the balancer bench NGINX baseline') === 'fail') throw new Error(missingToolError('nginx', 'the balancer bench NGINX baseline'));
    process.stdout.write('NGINX skipped: no nginx binary. Install it to compare: apt-get install -y nginx\n');
  }
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
  const procs: Proc[] = [];
  try {
    const trivial = await spawnListening(process.execPath, [join(here, 'trivial-backend.mjs')], { PORT: '0' });
    procs.push(trivial);
    await scenario('trivial backend, GET /', [trivial], { path: '/', method: 'GET' }, dir, nginx);
    const replicas = await Promise.all(
      ['bench-1', 'bench-2'].map((id) => spawnListening(process.execPath, [MODEL_SERVER_MAIN], { PORT: '0', SERVER_ID: id, LOG_LEVEL: 'info', WORKERS: '1', INTRA_OP_THREADS: '1' }, 60_000)),
    );
    procs.push(...replicas);
    await scenario('model-server replicas, POST /predict', replicas, { path: '/predict', method: 'POST', body: JSON.stringify({ text: 'win a free prize now' }) }, dir, nginx);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) throw new Error(`requests failed during the bench:\n  ${failures.join('\n  ')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${String(err)}\n`);
  process.exitCode = 1;
});
