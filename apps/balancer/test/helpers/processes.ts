import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { waitFor } from './wait.js';

/**
 * Child processes that log pino JSON lines (model-server replicas, the balancer itself).
 * Every spawned child is killed after the test file, whatever happened.
 */
export interface JsonChild {
  proc: ChildProcess;
  pid: number;
  /** Parsed stdout/stderr JSON lines so far. */
  logs: Record<string, unknown>[];
  /** First `listening` line (ports). */
  ready: Record<string, unknown>;
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<number | null>;
  waitForLog(pred: (line: Record<string, unknown>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

const live = new Set<ChildProcess>();
afterAll(() => {
  for (const p of live) p.kill('SIGKILL');
});

const require = createRequire(import.meta.url);
export const MODEL_SERVER_MAIN = require.resolve('@fleet/model-server/main');
export const BALANCER_SRC_MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export async function spawnJson(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<JsonChild> {
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => {
    live.delete(proc);
    resolve(code);
  }));
  for (const stream of [proc.stdout, proc.stderr]) {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        raw.push(line);
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ raw: line });
        }
      }
    });
  }
  const waitForLog: JsonChild['waitForLog'] = (pred, what, t = timeoutMs) =>
    waitFor(() => logs.find(pred), { timeoutMs: t, what: `${what}; output so far:\n${raw.slice(-20).join('\n')}` });
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  const ready = await waitFor(
    () => {
      if (exitCode !== undefined) throw new Error(`exited with ${exitCode}: ${raw.slice(-20).join('\n')}`);
      return logs.find((l) => l.msg === 'listening');
    },
    { timeoutMs, what: 'listening line' },
  );
  return {
    proc,
    pid: proc.pid ?? -1,
    logs,
    ready,
    exited,
    signal: (sig) => proc.kill(sig),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      return exited;
    },
    waitForLog,
  };
}

export interface Replica extends JsonChild {
  id: string;
  port: number;
  address: string;
}

/** `port` 0 = a free one; pass a port to bring a killed replica back where it was. */
export async function startReplica(id: string, { port = 0, timeoutMs = 30_000 }: { port?: number; timeoutMs?: number } = {}): Promise<Replica> {
  const child = await spawnJson([MODEL_SERVER_MAIN], {
    PORT: String(port),
    HOST: '127.0.0.1',
    SERVER_ID: id,
    WORKERS: '1',
    INTRA_OP_THREADS: '1',
    LOG_LEVEL: 'info',
    DRAIN_DELAY: '0ms',
  }, timeoutMs);
  const bound = Number(child.ready.port);
  return { ...child, id, port: bound, address: `127.0.0.1:${bound}` };
}
