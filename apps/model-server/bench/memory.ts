/**
 * `pnpm --filter @fleet/model-server bench:memory [-- path/to/other/dist/main.js ...]` — RSS of a
 * replica (all its threads) before and after the issue 8 memory attacks and a legitimate heavy
 * load; each given build is measured in turn (default: this one). Loopback only, bounded
 * (a few requests per phase, ~1 min per build).
 *
 *   attack A   v2 infer: one 600-word text + 7,999 one-letter texts (a 36 KB body)
 *   attack B   v2 infer: 260,000 one-letter texts (a 1 MB body)
 *   heavy      /predict: 8 concurrent requests × 4 rounds of 180 600-word texts (~830 KB each)
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MODEL_INFO } from '@fleet/model';
import { startServer } from './http.js';

const LONG = Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ');
const v2 = (texts: string[]) => JSON.stringify({ inputs: [{ name: 'text', shape: [texts.length], datatype: 'BYTES', data: texts }] });
const PHASES = [
  { name: 'attack A', path: `/v2/models/${MODEL_INFO.name}/infer`, body: v2([LONG, ...Array.from({ length: 7999 }, () => 'a')]), parallel: 1, rounds: 1 },
  { name: 'attack B', path: `/v2/models/${MODEL_INFO.name}/infer`, body: v2(Array.from({ length: 260_000 }, () => 'a')), parallel: 1, rounds: 1 },
  { name: 'heavy', path: '/predict', body: JSON.stringify({ texts: Array.from({ length: 180 }, (_, i) => `${i} ${LONG}`) }), parallel: 8, rounds: 4 },
];

async function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
}

async function send(url: string, body: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  return `${res.status} (${(text.length / 1024).toFixed(0)} KB)`;
}

async function measure(mainJs: string): Promise<void> {
  const server = await startServer({ SERVER_ID: 'bench-memory' }, mainJs);
  const pid = server.child.pid as number;
  try {
    console.log(`\n${mainJs}\n  ready: RSS ${(await rssMb(pid)).toFixed(0)} MB`);
    for (const phase of PHASES) {
      const statuses = new Set<string>();
      const started = performance.now();
      for (let round = 0; round < phase.rounds; round += 1) {
        const answers = await Promise.all(Array.from({ length: phase.parallel }, () => send(server.url + phase.path, phase.body)));
        for (const a of answers) statuses.add(a);
      }
      const ms = performance.now() - started;
      await delay(1000); // let the allocator settle before reading RSS
      console.log(
        `  ${phase.name.padEnd(8)} → ${[...statuses].join(', ')} in ${ms.toFixed(0)} ms; ` +
          `RSS after ${(await rssMb(pid)).toFixed(0)} MB, peak so far ${(await rssMb(pid, 'VmHWM')).toFixed(0)} MB`,
      );
    }
  } finally {
    await server.stop();
  }
}

const builds = process.argv.slice(2).filter((a) => a !== '--');
for (const mainJs of builds.length > 0 ? builds : [fileURLToPath(new URL('../dist/main.js', import.meta.url))]) await measure(mainJs);
