import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createIdSource } from '../src/trace/ids.js';
import { RequestTrace } from '../src/trace/request-trace.js';
import { envInt, median, spawnListening, type ListeningProcess as Proc } from '@fleet/bench-kit';

/**
 * `pnpm --filter @fleet/balancer bench:request-id`: the hot-path cost of request ids and trace
 * context, as the balancer's CPU time per request (utime + stime of the process, every thread,
 * from /proc/<pid>/stat), for two builds alternated in the same run: BEFORE_MAIN (a checkout
 * without this feature, e.g. `git worktree add /tmp/base <commit>` + build) and AFTER_MAIN
 * (default: this checkout's dist/main.js). One trivial upstream; the load generator is this
 * process (autocannon, GET / without ids, so the balancer generates a request id and a trace
 * per request and a span per attempt). Run it under `cpu-lock exclusive`; `taskset -c 1` keeps
 * the load generator and the upstream off core 0, where the balancer is pinned.
 * BENCH_ROUNDS (3) pairs, BENCH_WARMUP_S (3), BENCH_DURATION_S (6), BENCH_CONNECTIONS (16),
 * ACCESS_LOG (`off` / `on`, to a file) are env knobs; every loop is bounded.
 */
const here = dirname(fileURLToPath(import.meta.url));
const AFTER = process.env.AFTER_MAIN ?? join(here, '../dist/main.js');
const BEFORE = process.env.BEFORE_MAIN;
const ROUNDS = envInt(process.env, 'BENCH_ROUNDS', 3, { min: 1, max: 100 });
const WARMUP = envInt(process.env, 'BENCH_WARMUP_S', 3, { max: 600 });
const DURATION = envInt(process.env, 'BENCH_DURATION_S', 6, { min: 1, max: 600 });
const CONNECTIONS = envInt(process.env, 'BENCH_CONNECTIONS', 16, { min: 1, max: 10_000 });
const ACCESS_LOG_SETTING = process.env.ACCESS_LOG ?? 'off';
if (ACCESS_LOG_SETTING !== 'on' && ACCESS_LOG_SETTING !== 'off') throw new Error(`ACCESS_LOG must be on or off, got ${JSON.stringify(ACCESS_LOG_SETTING)}`);
const ACCESS_LOG = ACCESS_LOG_SETTING === 'on';
const TICK_US = 1e6 / 100; // USER_HZ: clock ticks of /proc/<pid>/stat

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
}

async function measure(main: string, upstream: string, dir: string): Promise<{ usPerReq: number; rps: number }> {
  const file = join(dir, 'balancer.json');
  writeFileSync(file, JSON.stringify({ upstreams: { default: { servers: [upstream] } }, accessLog: { enabled: ACCESS_LOG } }));
  const proc: Proc = await spawnListening('taskset', ['-c', '0', process.execPath, main], {
    CONFIG_FILE: file, PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info',
  });
  try {
    if (ACCESS_LOG) proc.child.stdout?.resume(); // the access log goes to stdout: read and dropped
    const url = `http://127.0.0.1:${proc.port}/`;
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP });
    const pid = proc.child.pid ?? 0;
    const t0 = cpuTicks(pid);
    const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
    const ticks = cpuTicks(pid) - t0;
    const requests = r.requests.total;
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${main}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { usPerReq: (ticks * TICK_US) / requests, rps: Math.round(requests / DURATION) };
  } finally {
    await proc.stop();
  }
}

/** The added work of one request in isolation: trace, upstream headers, one attempt's span, the log's attempts. */
function micro(): string {
  const ids = createIdSource();
  const incoming = { host: 'x', 'user-agent': 'bench', accept: '*/*' };
  const attempts = [{ peer: '127.0.0.1:8001', durationMs: 1, status: 200 }];
  let sink = 0;
  const run = (n: number): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const trace = new RequestTrace(incoming, false, ids);
      const headers: Record<string, string> = { ...incoming };
      trace.applyTo(headers);
      sink += String(trace.attemptHeaders(headers, '127.0.0.1:8001').traceparent).length + trace.withSpans(attempts).length;
    }
    return Number(process.hrtime.bigint() - t0) / n;
  };
  run(200_000); // warm-up
  const ns = [run(500_000), run(500_000), run(500_000)];
  return `${median(ns).toFixed(0)} ns per request (${ns.map((x) => x.toFixed(0)).join(', ')}; ${sink > 0 ? 'ok' : ''})`;
}

async function main(): Promise<void> {
  if (BEFORE === undefined) throw new Error('set BEFORE_MAIN to the dist/main.js of a build without request ids');
  process.stdout.write(`request id + trace + one span + log attempts, in isolation: ${micro()}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-rid-'));
  const upstream = await spawnListening('taskset', ['-c', '1', process.execPath, join(here, 'trivial-backend.mjs')], { PORT: '0' });
  const results: Record<'before' | 'after', number[]> = { before: [], after: [] };
  try {
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, main] of [['before', BEFORE], ['after', AFTER]] as const) {
        const m = await measure(main, `127.0.0.1:${upstream.port}`, dir);
        results[name].push(m.usPerReq);
        process.stdout.write(`round ${i + 1} ${name}: ${m.usPerReq.toFixed(1)} µs CPU/request, ${m.rps} req/s\n`);
      }
    }
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const pairs = results.after.map((a, i) => a - (results.before[i] ?? NaN));
  process.stdout.write(
    `access log ${ACCESS_LOG ? 'on' : 'off'}, ${CONNECTIONS} connections: median before ${median(results.before).toFixed(1)} µs, ` +
      `after ${median(results.after).toFixed(1)} µs, paired differences ${pairs.map((d) => d.toFixed(1)).join(', ')} µs\n`,
  );
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
