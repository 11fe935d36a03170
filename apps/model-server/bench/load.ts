/**
 * What one load phase costs the replica: CPU of every thread of its process from
 * /proc/<pid>/stat (utime + stime) divided by the requests answered, plus rows/s and latency.
 * The payload mix of issue 11 (`@fleet/bench-kit`'s, shared with the stack bench): four 8-word
 * texts and one 200-word text, in turn.
 */
import { readFile } from 'node:fs/promises';
import { predictRequests, predictTexts } from '@fleet/bench-kit';
import autocannon from 'autocannon';
import { Client } from 'undici';

const CLK_TCK = 100; // Linux USER_HZ (getconf CLK_TCK)

/** CPU seconds (user + system) of a process, all its threads. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // fields after the ")" that closes the command name; utime and stime are the 14th and 15th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * Request bodies: one text each (the bodies of bench-kit's `predictRequests`, which the stack
 * bench sends through the balancer), or `n` consecutive texts of the same mix.
 */
export function bodies(n: number): string[] {
  if (n === 1) return predictRequests(100).map((r) => r.body as string);
  const texts = predictTexts(100);
  return Array.from({ length: 100 }, (_, i) => JSON.stringify({ texts: Array.from({ length: n }, (_, k) => texts[(i + k) % texts.length]) }));
}

export interface Phase {
  path: string;
  concurrency: number;
  durationMs: number;
  textsPerRequest?: number;
}

export interface PhaseResult {
  requests: number;
  errors: number;
  rowsPerSec: number;
  cpuUsPerRequest: number;
  p50Ms: number;
}

/** autocannon: keep-alive connections, no pipelining, precomputed bodies. */
export async function runPhase(url: string, pid: number, phase: Phase): Promise<PhaseResult> {
  const n = phase.textsPerRequest ?? 1;
  const cpuBefore = await cpuSeconds(pid);
  const result = await autocannon({
    url,
    connections: phase.concurrency,
    pipelining: 1,
    duration: phase.durationMs / 1000,
    requests: bodies(n).map((body) => ({ method: 'POST' as const, path: phase.path, headers: { 'content-type': 'application/json' }, body })),
  });
  const cpu = (await cpuSeconds(pid)) - cpuBefore;
  const answered = result.requests.total;
  return {
    requests: answered,
    errors: result.errors + result.timeouts + result.non2xx,
    rowsPerSec: result.requests.average * n,
    cpuUsPerRequest: answered > 0 ? (cpu * 1e6) / answered : Number.NaN,
    p50Ms: result.latency.p50,
  };
}

/** One request at a time on one keep-alive connection, timed here (sub-millisecond p50). */
export async function p50AtOne(url: string, path: string, count: number): Promise<number> {
  const client = new Client(url, { pipelining: 1 });
  const all = bodies(1);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const start = performance.now();
      const res = await client.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: all[i % all.length] });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}`);
      times.push(performance.now() - start);
    }
  } finally {
    await client.close();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}
