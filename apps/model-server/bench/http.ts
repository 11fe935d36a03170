/** The real `node dist/main.js` (or another build's) on loopback, and its peak RSS. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildNodeFlags } from '@fleet/bench-kit';

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

/**
 * Spawns `node dist/main.js` (or another build's `mainJs`, e.g. a baseline) with the node flags
 * that build's replicas get wherever they are started, and waits for "listening".
 */
export async function startServer(env: Record<string, string> = {}, mainJs = MAIN_JS): Promise<Server> {
  const flags = await buildNodeFlags(mainJs, 'REPLICA_NODE_FLAGS');
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...flags, mainJs], {
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

/** `read()` of a process's /proc entry, or undefined when there is none (not Linux, or it is gone). */
async function fromProc<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Peak resident set size of a process (Linux VmHWM), in bytes; undefined elsewhere. */
export async function peakRss(pid: number): Promise<number | undefined> {
  const status = await fromProc(() => readFile(`/proc/${pid}/status`, 'utf8'));
  const kb = status === undefined ? undefined : /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/**
 * Threads of a process now (Linux `/proc/<pid>/task`); undefined elsewhere or once it is gone.
 * An inference worker the executor policy started shows here as more threads.
 */
export async function threadCount(pid: number): Promise<number | undefined> {
  return (await fromProc(() => readdir(`/proc/${pid}/task`)))?.length;
}
