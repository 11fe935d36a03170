/**
 * /predict over HTTP on loopback: the real `node dist/main.js`, N concurrent connections
 * (autocannon) each sending one text per request for a fixed time; throughput, latency
 * percentiles, peak RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

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

/** Spawns `node dist/main.js` (or another build's `mainJs`, e.g. a baseline) and waits for "listening". */
export async function startServer(env: Record<string, string> = {}, mainJs = MAIN_JS): Promise<Server> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [mainJs], {
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

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  textsPerRequest?: number;
}

/** Distinct request bodies; autocannon prepares them per connection, so keep them few. */
const DISTINCT_BODIES = 128;

/** Request bodies spread over the corpus (one text, or `n` consecutive texts, per request). */
function bodies(corpus: string[], n: number): string[] {
  const stride = Math.max(1, Math.floor(corpus.length / DISTINCT_BODIES));
  const sample = Array.from({ length: Math.min(DISTINCT_BODIES, corpus.length) }, (_, i) => corpus[i * stride] as string);
  return sample.map((text, i) =>
    n === 1 ? JSON.stringify({ text }) : JSON.stringify({ texts: Array.from({ length: n }, (_, k) => sample[(i + k) % sample.length]) }),
  );
}

/** autocannon: precomputed requests, `concurrency` keep-alive connections, no pipelining. */
export async function runLoad(url: string, corpus: string[], options: LoadOptions): Promise<LoadResult> {
  const { concurrency, durationMs, textsPerRequest = 1 } = options;
  const result = await autocannon({
    url,
    connections: concurrency,
    pipelining: 1,
    duration: durationMs / 1000,
    requests: bodies(corpus, textsPerRequest).map((body) => ({
      method: 'POST' as const,
      path: '/predict',
      headers: { 'content-type': 'application/json' },
      body,
    })),
  });
  // mean of autocannon's one-second samples: the sending window is a whole number of samples
  // (it stops at the first sample after `duration`), while result.duration also counts set-up
  const perSecond = result.requests.average;
  return {
    concurrency,
    textsPerRequest,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    rowsPerSec: perSecond * textsPerRequest,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
