import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nginxBinary, startNginx } from './nginx.js';
import { peakRssMb, spawnListening, type Proc } from './processes.js';

/**
 * `pnpm --filter @fleet/balancer bench:engine` (issue 9): CPU time per proxied request, from
 * /proc (utime + stime of every thread of the proxy process; NGINX: master + worker), for the
 * trivial backend direct, NGINX with 1 worker, the balancer on undici (`client: undici`, the
 * previous path) and the balancer on its own engine (`client: engine`), in the same run:
 * rounds interleaved (direct, nginx, undici, engine, then again), medians reported, pinned
 * (proxy on CPU 0, wrk and the backend on CPU 1) and unpinned. wrk -t1 -c32, loopback only,
 * bounded durations. Run it under `cpu-lock exclusive`. Numbers, not pass/fail.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_DURATION ?? 5);
const WARM_SECONDS = Number(process.env.BENCH_WARMUP ?? 8);
const CONNECTIONS = 32;
const TICK_US = 1e6 / 100; // USER_HZ

interface Target {
  name: string;
  port: number;
  pids: () => number[];
}

function cpuTicks(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  }
  return ticks;
}

function wrk(port: number, seconds: number, pinned: boolean): Promise<number> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, `http://127.0.0.1:${port}/`];
  const child = pinned ? spawn('taskset', ['-c', '1', 'wrk', ...args]) : spawn('wrk', args);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', () => {
      const m = /(\d+) requests in/.exec(out);
      const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out);
      if (m === null) return reject(new Error(`wrk output without a request count:\n${out}`));
      if (errors !== null) return reject(new Error(`wrk saw errors against port ${port}:\n${out}`));
      resolve(Number(m[1]));
    });
  });
}

function pin(pids: number[], cpuList: string): void {
  for (const pid of pids) spawnSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}

async function startFleet(backend: string, client: 'engine' | 'undici', dir: string): Promise<Proc> {
  const file = join(dir, `fleet-${client}.json`);
  writeFileSync(file, JSON.stringify({ upstreams: { default: { servers: [backend], client } }, accessLog: { enabled: false }, logLevel: 'warn' }));
  return spawnListening(process.execPath, [join(here, '../dist/main.js')], { CONFIG_FILE: file, PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'info' });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-engine-'));
  const procs: Array<{ stop(): Promise<void> }> = [];
  try {
    const backend = await spawnListening(process.execPath, [join(here, 'trivial-backend.mjs')], { PORT: '0' });
    procs.push(backend);
    const backendPid = backend.child.pid ?? 0;
    const address = `127.0.0.1:${backend.port}`;
    const targets: Target[] = [{ name: 'direct', port: backend.port, pids: () => [backendPid] }];
    const nginx = nginxBinary();
    if (nginx !== undefined) {
      const n = await startNginx(nginx, [address], 1);
      procs.push(n);
      targets.push({ name: 'nginx', port: n.port, pids: () => n.pids() });
    } else process.stdout.write('NGINX skipped: no nginx binary (apt-get install -y nginx)\n');
    for (const client of ['undici', 'engine'] as const) {
      const f = await startFleet(address, client, dir);
      procs.push(f);
      targets.push({ name: `fleet-${client}`, port: f.port, pids: () => [f.child.pid ?? 0] });
    }
    for (const t of targets) await wrk(t.port, WARM_SECONDS, false); // JIT, pools, keep-alive
    const rows = new Map<string, { us: number[]; rps: number[]; usBackend: number[] }>();
    for (const pinned of [true, false]) {
      for (const t of targets) {
        if (t.name === 'direct') continue;
        pin(t.pids(), pinned ? '0' : `0-${cpus().length - 1}`);
      }
      pin([backendPid], pinned ? '1' : `0-${cpus().length - 1}`);
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of targets) {
          const pids = t.pids();
          const before = cpuTicks(pids);
          const backendBefore = cpuTicks([backendPid]);
          const requests = await wrk(t.port, SECONDS, pinned);
          const key = `${t.name} ${pinned ? 'pinned' : 'unpinned'}`;
          const row = rows.get(key) ?? { us: [], rps: [], usBackend: [] };
          row.us.push(((cpuTicks(pids) - before) * TICK_US) / requests);
          row.usBackend.push(((cpuTicks([backendPid]) - backendBefore) * TICK_US) / requests);
          row.rps.push(requests / SECONDS);
          rows.set(key, row);
        }
      }
    }
    const nginxUs = (mode: string): number => median(rows.get(`nginx ${mode}`)?.us ?? []);
    process.stdout.write(`\n${new Date().toISOString()} ${cpus()[0]?.model ?? ''} x${cpus().length}, Node ${process.versions.node}; wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds x ${SECONDS}s, medians\n`);
    process.stdout.write('target         mode       CPU µs/req  x nginx   backend µs/req   req/s   peak RSS MB\n');
    for (const [key, row] of rows) {
      const [name = '', mode = ''] = key.split(' ');
      const target = targets.find((t) => t.name === name);
      const us = median(row.us);
      const ratio = name === 'direct' ? '' : (us / nginxUs(mode)).toFixed(2);
      const rss = target === undefined ? 0 : peakRssMb(target.pids());
      process.stdout.write(`${name.padEnd(14)} ${mode.padEnd(9)} ${us.toFixed(1).padStart(10)} ${ratio.padStart(8)} ${median(row.usBackend).toFixed(1).padStart(15)} ${median(row.rps).toFixed(0).padStart(8)} ${String(rss).padStart(10)}\n`);
    }
    process.stdout.write('(direct: the CPU column is the backend itself)\n');
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:engine failed: ${String(err)}\n`);
  process.exitCode = 1;
});
