/**
 * Child processes of a benchmark or chaos run: every child is tracked so that nothing outlives
 * the run — on a normal exit, an exception, or Ctrl-C (SIGINT/SIGTERM run the registered
 * cleanups, then SIGKILL whatever is left and exit 130/143).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { childPids } from './proc.js';

const children = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void> | void>();
let signalsHooked = false;

/** SIGKILL every tracked child and its own children (NGINX workers outlive a killed master). */
function killAll(): void {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    for (const pid of childPids(child.pid ?? 0)) killPid(pid);
    child.kill('SIGKILL');
  }
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') process.stderr.write(`cannot kill ${pid}: ${String(error)}\n`);
  }
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  process.on('exit', killAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every child process…\n`);
      void runCleanups().finally(() => {
        killAll();
        process.exit(code);
      });
    });
  }
}

/** Registers work to do on Ctrl-C (e.g. remove a temp dir); returns the unregister function. */
export function onCleanup(fn: () => Promise<void> | void): () => void {
  hookSignals();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

async function runCleanups(): Promise<void> {
  for (const fn of [...cleanups]) {
    try {
      await fn();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${String(error)}\n`);
    }
  }
}

/** spawn() whose child is killed when this process exits, whatever the reason. */
export function spawnTracked(cmd: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  hookSignals();
  const child = spawn(cmd, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal`, waits for the exit, SIGKILL after `killAfterMs`. Resolves at once when already gone. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<void> {
  if (!isRunning(child)) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  timer.unref();
  await exited;
  clearTimeout(timer);
}

/** The last `limit` lines a child printed (stdout + stderr), for error messages. */
export function captureOutput(child: ChildProcess, limit = 40): () => string {
  const lines: string[] = [];
  const push = (chunk: Buffer): void => {
    for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(l);
    lines.splice(0, Math.max(0, lines.length - limit));
  };
  child.stdout?.on('data', push);
  child.stderr?.on('data', push);
  return () => lines.join('\n');
}
