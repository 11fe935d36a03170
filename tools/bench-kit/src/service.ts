/** A child process serving HTTP on a loopback port, ready when GET `healthPath` answers 200. */
import type { ChildProcess } from 'node:child_process';
import { captureOutput, spawnTracked, stopChild } from './processes.js';
import { httpOk, waitFor } from './wait.js';

export interface HttpService {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves with the ms from spawn to the first 200 (rejects when the child exits first). */
  readonly ready: Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface HttpServiceSpec {
  name: string;
  port: number;
  cmd: string;
  args: readonly string[];
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  healthPath?: string;
  readyTimeoutMs?: number;
}

export function startHttpService(spec: HttpServiceSpec): HttpService {
  const spawnedAt = performance.now();
  const child = spawnTracked(spec.cmd, spec.args, { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const url = `http://127.0.0.1:${spec.port}${spec.healthPath ?? '/health'}`;
  const ready = waitFor(() => httpOk(url), { name: spec.name, timeoutMs: spec.readyTimeoutMs ?? 60_000, child, detail: output }).then(() => performance.now() - spawnedAt);
  // Callers await `ready`; this handler only keeps an early exit from being reported as unhandled.
  ready.catch(() => undefined);
  return { name: spec.name, port: spec.port, child, ready, stop: (signal = 'SIGTERM') => stopChild(child, signal) };
}
