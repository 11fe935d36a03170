/**
 * Scratch (ms9): one replica under one load phase, with `--cpu-prof`, and CPU per thread from
 * /proc/<pid>/task/<tid>/stat over the measured phase.
 *   tsx bench/profile.ts <outDir> <path> <concurrency> [seconds] [textsPerRequest] [mainJs]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildNodeFlags } from '@fleet/bench-kit';
import { runPhase } from './load.js';

const [outDir = '/tmp/ms9/prof', path = '/predict', c = '2', secs = '5', n = '1', mainArg] = process.argv.slice(2).filter((a) => a !== '--');
const mainJs = mainArg ?? fileURLToPath(new URL('../dist/main.js', import.meta.url));

async function threads(pid: number): Promise<Map<string, { name: string; cpu: number }>> {
  const out = new Map<string, { name: string; cpu: number }>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {
      /* gone */
    }
  }
  return out;
}

const flags = await buildNodeFlags(mainJs, 'REPLICA_NODE_FLAGS');
const prof = outDir === 'none' ? [] : ['--cpu-prof', `--cpu-prof-dir=${outDir}`, '--cpu-prof-interval=250'];
const child = spawn(process.execPath, [...flags, ...prof, mainJs], {
  env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SERVER_ID: 'prof', BENCH_ECHO: 'on', DRAIN_DELAY: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const exited = once(child, 'exit');
const port = await new Promise<number>((resolve) => {
  createInterface({ input: child.stdout! }).on('line', (raw) => {
    if (raw.startsWith('{') && raw.includes('"listening"')) resolve((JSON.parse(raw) as { port: number }).port);
  });
});
const url = `http://127.0.0.1:${port}`;
const pid = child.pid!;
await runPhase(url, pid, { path: '/predict', concurrency: 8, durationMs: 4000 });
const before = await threads(pid);
const t0 = Date.now();
console.log(`PHASE_START ${performance.timeOrigin + performance.now()}`);
const r = await runPhase(url, pid, { path, concurrency: Number(c), durationMs: Number(secs) * 1000, textsPerRequest: Number(n) });
const after = await threads(pid);
console.log(`phase ${path} c=${c} n=${n}: ${r.requests} requests in ${Date.now() - t0} ms, ${r.cpuUsPerRequest.toFixed(1)} µs/req, rows/s ${r.rowsPerSec.toFixed(0)}, p50 ${r.p50Ms} ms`);
const rows: string[] = [];
for (const [tid, a] of after) {
  const b = before.get(tid)?.cpu ?? 0;
  const us = ((a.cpu - b) * 1e6) / r.requests;
  if (us > 0.05) rows.push(`  ${tid} ${a.name.padEnd(16)} ${us.toFixed(1)} µs/req`);
}
console.log(rows.join('\n'));
const status = await readFile(`/proc/${pid}/status`, 'utf8');
console.log(/VmHWM.*|VmRSS.*/g.exec(status)?.[0], /VmRSS.*/.exec(status)?.[0], `threads ${after.size}`);
child.kill('SIGTERM');
await exited;
