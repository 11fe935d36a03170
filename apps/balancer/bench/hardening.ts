import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { spawnListening, type ListeningProcess as Proc } from '@fleet/bench-kit';

/**
 * `pnpm --filter @fleet/balancer bench:hardening`: issue 8's numbers for one balancer build, on
 * loopback, bounded (~45 s): descriptors around 100 idle connections (findings 3), RSS around
 * 200 uploads stalled one byte short of 1 MiB (finding 5), failed requests at c=16 when a
 * replica is `kill -9`ed and when one is SIGSTOPped for 3 s with 1 s upstream timeouts
 * (finding 4). BALANCER_MAIN picks the build (a `src/main.ts` run through tsx, or a
 * `dist/main.js`), so a checkout of another commit can be measured the same way.
 * Numbers, not pass/fail.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const BALANCER_MAIN = process.env.BALANCER_MAIN ?? join(here, '../src/main.ts');
const TRIVIAL = join(here, 'trivial-backend.mjs');
const dir = mkdtempSync(join(tmpdir(), 'fleet-hardening-bench-'));
const procs: Proc[] = [];

function fds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb ?? 0) / 1024);
}

async function backends(n: number): Promise<Proc[]> {
  const started = await Promise.all(Array.from({ length: n }, (_, i) => spawnListening(process.execPath, [TRIVIAL], { PORT: '0', SERVER_ID: `b${i}` })));
  procs.push(...started);
  return started;
}

async function balancer(servers: string[], extra: Record<string, unknown> = {}): Promise<{ proc: Proc; pid: number; port: number }> {
  const file = join(dir, `config-${procs.length}.json`);
  writeFileSync(file, JSON.stringify({ upstreams: { default: { servers, ...extra } }, accessLog: { enabled: false } }));
  const args = BALANCER_MAIN.endsWith('.ts') ? ['--import', 'tsx', BALANCER_MAIN] : [BALANCER_MAIN];
  const proc = await spawnListening(process.execPath, args, { CONFIG_FILE: file, PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  procs.push(proc);
  return { proc, pid: proc.child.pid ?? 0, port: proc.port };
}

async function warm(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) await (await request(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: '{}' })).body.dump();
}

function openSocket(port: number, payload?: Buffer | string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
    s.on('error', () => undefined);
    s.resume();
    if (payload !== undefined) s.write(payload);
  });
}

async function idleConnections(addr: string[]): Promise<string> {
  const b = await balancer(addr);
  await warm(b.port);
  const base = fds(b.pid);
  const sockets = await Promise.all(Array.from({ length: 100 }, () => openSocket(b.port)));
  await sleep(500);
  const open = fds(b.pid);
  await sleep(15_000); // header timeout (10 s) + 5 s
  const after = fds(b.pid);
  sockets.forEach((s) => s.destroy());
  await b.proc.stop();
  return `fds: baseline ${base}, with 100 idle connections ${open}, 15 s later (clients still open) ${after}`;
}

async function stalledUploads(addr: string[]): Promise<string> {
  const b = await balancer(addr);
  await warm(b.port);
  const before = rssMb(b.pid);
  const size = 1024 * 1024;
  const head = `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`;
  const body = Buffer.alloc(size - 1, 0x61);
  const sockets = await Promise.all(Array.from({ length: 200 }, () => openSocket(b.port, Buffer.concat([Buffer.from(head), body]))));
  let peak = before;
  for (let i = 0; i < 40; i++) {
    await sleep(250);
    peak = Math.max(peak, rssMb(b.pid));
  }
  sockets.forEach((s) => s.destroy());
  await b.proc.stop();
  return `RSS: before ${before} MB, peak with 200 stalled 1 MiB uploads ${peak} MB (+${peak - before} MB)`;
}

/** 16 clients POSTing /predict for `seconds`; `fault` runs after 1 s. */
async function underLoad(port: number, seconds: number, fault: () => Promise<void>): Promise<{ total: number; failed: number; p99: number }> {
  const agent = new Agent({ connections: 16 });
  const end = Date.now() + seconds * 1000;
  const times: number[] = [];
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      const t0 = performance.now();
      try {
        const res = await request(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: '{"text":"x"}', dispatcher: agent, headersTimeout: 20_000 });
        await res.body.dump();
        if (res.statusCode !== 200) failed += 1;
      } catch {
        failed += 1;
      }
      times.push(performance.now() - t0);
    }
  };
  const faulting = sleep(1000).then(fault);
  await Promise.all([...Array.from({ length: 16 }, worker), faulting]);
  await agent.close();
  times.sort((a, b) => a - b);
  return { total: times.length, failed, p99: Math.round(times[Math.floor(times.length * 0.99)] ?? 0) };
}

async function killNine(): Promise<string> {
  const ups = await backends(3);
  const b = await balancer(ups.map((u) => `127.0.0.1:${u.port}`));
  await warm(b.port);
  const r = await underLoad(b.port, 5, async () => {
    ups[2]?.child.kill('SIGKILL');
  });
  await b.proc.stop();
  return `kill -9 at c=16: ${r.failed} failed of ${r.total}, p99 ${r.p99} ms`;
}

async function sigstop(): Promise<string> {
  const ups = await backends(3);
  const b = await balancer(ups.map((u) => `127.0.0.1:${u.port}`), { timeouts: { headersMs: 1000 } });
  await warm(b.port);
  const r = await underLoad(b.port, 6, async () => {
    ups[2]?.child.kill('SIGSTOP');
    await sleep(3000);
    ups[2]?.child.kill('SIGCONT');
  });
  await b.proc.stop();
  return `SIGSTOP 3 s at c=16 (1 s upstream timeouts): ${r.failed} failed of ${r.total}, p99 ${r.p99} ms`;
}

// Interrupted: exit normally so processes.ts's exit hook kills every child.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

async function main(): Promise<void> {
  process.stdout.write(`balancer: ${BALANCER_MAIN}\n`);
  const ups = await backends(3);
  const addr = ups.map((u) => `127.0.0.1:${u.port}`);
  for (const run of [() => idleConnections(addr), () => stalledUploads(addr), killNine, sigstop]) {
    process.stdout.write(`${await run()}\n`);
  }
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const p of procs) {
      p.child.kill('SIGCONT');
      await p.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  });
