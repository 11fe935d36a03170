/**
 * One replica of each stack, on a loopback port, ready-gated on GET /health (200): the fleet
 * model-server (`node apps/model-server/dist/main.js`) and the FastAPI replica under uvicorn
 * (uvloop + httptools, one worker, access log off), the way the seed tutorials run it.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { captureOutput, httpOk, spawnTracked, stopChild, waitFor } from '@fleet/bench-kit';
import { MODEL_INFO, defaultModelPath } from '@fleet/model';
import { PYTHON } from './deps.js';
import { PACKAGE_DIR, TABLES_PATH } from './paths.js';

export const MODEL_SERVER_MAIN = createRequire(import.meta.url).resolve('@fleet/model-server/main');

export interface Replica {
  readonly serverId: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves once GET /health answers 200; the ms it took from spawn. */
  readonly ready: Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function replica(serverId: string, port: number, cmd: string, args: string[], env: NodeJS.ProcessEnv, readyTimeoutMs: number): Replica {
  const spawnedAt = performance.now();
  const child = spawnTracked(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const ready = waitFor(() => httpOk(`http://127.0.0.1:${port}/health`), { name: serverId, timeoutMs: readyTimeoutMs, child, detail: output }).then(
    () => performance.now() - spawnedAt,
  );
  ready.catch(() => undefined); // the caller awaits it; this only keeps an early exit from being an unhandled rejection
  return { serverId, port, child, ready, stop: (signal = 'SIGTERM') => stopChild(child, signal) };
}

/** fleet's model-server with its defaults (workers = cores, batching on); `env` adds to them. */
export function startFleetReplica(serverId: string, port: number, env: NodeJS.ProcessEnv = {}, readyTimeoutMs = 60_000): Replica {
  return replica(serverId, port, process.execPath, [MODEL_SERVER_MAIN], { HOST: '127.0.0.1', PORT: String(port), SERVER_ID: serverId, LOG_LEVEL: 'warn', ...env }, readyTimeoutMs);
}

export function uvicornArgs(port: number): string[] {
  return ['-m', 'uvicorn', 'replica.app:app', '--host', '127.0.0.1', '--port', String(port), '--loop', 'uvloop', '--http', 'httptools', '--workers', '1', '--no-access-log', '--log-level', 'warning'];
}

/** The FastAPI replica: same ONNX file, same routes and shapes. */
export function startSeedReplica(serverId: string, port: number, readyTimeoutMs = 60_000): Replica {
  const env = { PYTHONPATH: PACKAGE_DIR, SERVER_ID: serverId, MODEL_PATH: defaultModelPath, MODEL_VERSION: MODEL_INFO.version, UNICODE_TABLES: TABLES_PATH, PYTHONDONTWRITEBYTECODE: '1' };
  return replica(serverId, port, PYTHON, uvicornArgs(port), env, readyTimeoutMs);
}
