/** "Build what is missing": one turbo run; its cache makes this quick when nothing changed. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { STACK_ERRORS, StackError } from './errors.js';

const BUILD_FILTERS = ['@fleet/model-server', '@fleet/balancer'] as const;

function turboArgs(): string[] {
  return ['run', 'build', ...BUILD_FILTERS.map((f) => `--filter=${f}`), '--output-logs=errors-only'];
}

export interface BuildIo {
  line(text: string): void;
  signal: AbortSignal;
}

export async function buildApps(rootDir: string, io: BuildIo): Promise<void> {
  const turbo = path.join(rootDir, 'node_modules', '.bin', 'turbo');
  if (!existsSync(turbo)) {
    throw new StackError(STACK_ERRORS.BUILD_FAILED, `turbo not found at ${turbo}: run pnpm install first`);
  }
  const child = spawn(turbo, turboArgs(), {
    cwd: rootDir,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: io.signal,
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => io.line(text));
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  }).catch((error: unknown) => {
    io.signal.throwIfAborted();
    throw new StackError(STACK_ERRORS.BUILD_FAILED, `could not run turbo: ${String(error)}`, { cause: error });
  });
  io.signal.throwIfAborted();
  if (code !== 0) {
    throw new StackError(STACK_ERRORS.BUILD_FAILED, `turbo build exited with code ${code ?? 'unknown'} (its output is above)`);
  }
}

export interface Entries {
  modelServer: string;
  balancer: string;
}

export function appEntries(rootDir: string): Entries {
  return {
    modelServer: path.join(rootDir, 'apps', 'model-server', 'dist', 'main.js'),
    balancer: path.join(rootDir, 'apps', 'balancer', 'dist', 'main.js'),
  };
}

export function assertEntriesExist(rootDir: string, entries: Entries): void {
  const missing = Object.values(entries).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    const rel = missing.map((f) => path.relative(rootDir, f)).join(', ');
    throw new StackError(STACK_ERRORS.ENTRY_MISSING, `not built: ${rel}. Run \`pnpm build\`, or start without --no-build.`);
  }
}
