/** Shared test helpers: configs, a real listening app, the real process, bounded polling. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_APP_CONFIG, type AppConfig } from '../src/config.js';

export const MAIN_JS = fileURLToPath(new URL('../dist/main.js', import.meta.url));

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function testConfig(overrides: DeepPartial<AppConfig> = {}): AppConfig {
  return {
    ...DEFAULT_APP_CONFIG,
    serverId: 'test-replica',
    logLevel: 'silent',
    port: 0,
    workers: 1,
    ...overrides,
    batching: { ...DEFAULT_APP_CONFIG.batching, ...overrides.batching },
    limits: { ...DEFAULT_APP_CONFIG.limits, ...overrides.limits },
    drain: { ...DEFAULT_APP_CONFIG.drain, ...overrides.drain },
  } as AppConfig;
}

/** Polls `check` until it returns a value other than undefined, at most `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 45_000, intervalMs = 20, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface LogLine {
  msg?: string;
  port?: number;
  [key: string]: unknown;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  lines: LogLine[];
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Spawns `node dist/main.js` with `env`; resolves when it logs "listening" (or rejects when it exits). */
export async function startProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const listening = new Promise<LogLine>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (raw) => {
      const line = parseLine(raw);
      lines.push(line);
      if (line.msg === 'listening') resolve(line);
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening: ${JSON.stringify(lines)}`)));
  });
  const line = await listening;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { child, url: `http://127.0.0.1:${line.port}`, lines, exited, stop };
}

/** Runs `node dist/main.js` expecting it to fail at start; returns exit code and all output. */
export async function runFailingProcess(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, output };
}

function parseLine(raw: string): LogLine {
  try {
    return JSON.parse(raw) as LogLine;
  } catch (error) {
    return { msg: raw, parseError: String(error) };
  }
}

/**
 * A model shaped like the reference text model (same inputs, a `probabilities` output) that
 * calls every text spam: it loads fine, and its warm-up output is wrong.
 */
export async function writeAlwaysSpamModel(path: string): Promise<void> {
  const { writeModel, attr } = await import('@fleet/model/onnx-writer');
  await writeModel(
    {
      graphName: 'always-spam',
      inputs: [
        { name: 'input_ids', type: 'int64', shape: ['batch', 'seq'] },
        { name: 'attention_mask', type: 'float32', shape: ['batch', 'seq'] },
      ],
      outputs: [{ name: 'probabilities', type: 'float32', shape: ['batch', 2] }],
      initializers: [
        { name: 'axes', dims: [1], data: BigInt64Array.from([1n]) },
        { name: 'zeros', dims: [1, 2], data: new Float32Array(2) },
        { name: 'spam', dims: [2], data: Float32Array.from([0.1, 0.9]) },
      ],
      nodes: [
        { op: 'ReduceSum', inputs: ['attention_mask', 'axes'], outputs: ['tokens'], attributes: { keepdims: attr.int(1) } },
        { op: 'MatMul', inputs: ['tokens', 'zeros'], outputs: ['nothing'] },
        { op: 'Add', inputs: ['nothing', 'spam'], outputs: ['probabilities'] },
      ],
    },
    path,
  );
}
