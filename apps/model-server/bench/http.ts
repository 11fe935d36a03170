/**
 * /predict over HTTP on loopback: the real `node dist/main.js`, N concurrent clients each
 * sending one text per request for a fixed time; throughput, latency percentiles, peak RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const MAIN_JS = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface Server {
  child: ChildProcess;
  url: string;
  /** From spawn until the "listening" log line (process start, model load, warm-up, listen). */
  startToReadyMs: number;
  /** The process's own count (performance.now() at "listening"). */
  startupMs: number;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SERVER_ID: 'bench', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const line = await new Promise<{ port: number; startupMs: number }>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (raw) => {
      if (!raw.startsWith('{')) return;
      const parsed = JSON.parse(raw) as { msg?: string; port: number; startupMs: number };
      if (parsed.msg === 'listening') resolve(parsed);
    });
    void exited.then(() => reject(new Error('server exited before listening')));
  });
  return {
    child,
    url: `http://127.0.0.1:${line.port}`,
    startToReadyMs: performance.now() - spawnedAt,
    startupMs: line.startupMs,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Peak resident set size of a process (Linux VmHWM), in bytes; undefined elsewhere. */
export async function peakRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface LoadResult {
  concurrency: number;
  textsPerRequest: number;
  requests: number;
  errors: number;
  rowsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export async function runLoad(
  url: string,
  corpus: string[],
  { concurrency, durationMs, textsPerRequest = 1 }: { concurrency: number; durationMs: number; textsPerRequest?: number },
): Promise<LoadResult> {
  const bodies = corpus.map((text, i) =>
    textsPerRequest === 1
      ? JSON.stringify({ text })
      : JSON.stringify({ texts: Array.from({ length: textsPerRequest }, (_, k) => corpus[(i + k) % corpus.length]) }),
  );
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const client = async () => {
    while (performance.now() - start < durationMs) {
      const body = bodies[next++ % bodies.length] as string;
      const t0 = performance.now();
      const res = await pool.request({
        method: 'POST',
        path: '/predict',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.body.dump();
      if (res.statusCode === 200) latencies.push(performance.now() - t0);
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    textsPerRequest,
    requests: latencies.length + errors,
    errors,
    rowsPerSec: (latencies.length * textsPerRequest) / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
