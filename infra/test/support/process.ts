/**
 * The real apps as child processes on loopback (port 0): started from their built
 * dist/main.js, ready when they log their `listening` line, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { repoPath } from './repo.js';

export const START_BOUND_MS = 60_000;

export interface Running {
  child: ChildProcess;
  /** The fields of the `listening` log line (port, adminPort, ...). */
  listening: Record<string, unknown>;
  output: string[];
  /** SIGTERM, then the exit code (bounded; SIGKILL and throw past the bound). */
  stop(): Promise<number | null>;
}

export function startApp(app: 'model-server' | 'balancer', env: Record<string, string>): Promise<Running> {
  const main = repoPath('apps', app, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (pnpm turbo build --filter=@fleet/infra^...)`);
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const bound = setTimeout(() => child.kill('SIGKILL'), START_BOUND_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(bound);
    }
  };
  return new Promise<Running>((resolve, reject) => {
    const bound = setTimeout(() => {
      void stop();
      reject(new Error(`${app} did not log 'listening' within ${START_BOUND_MS} ms:\n${output.join('\n')}`));
    }, START_BOUND_MS);
    createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const entry = parseJson(line);
      if (entry?.msg !== 'listening') return;
      clearTimeout(bound);
      resolve({ child, listening: entry, output, stop });
    });
    void exited.then((code) => {
      clearTimeout(bound);
      reject(new Error(`${app} exited with ${String(code)} before listening:\n${output.join('\n')}`));
    });
  });
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
