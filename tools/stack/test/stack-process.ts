// Test helper: the real CLI (dist/cli.js) as a child process, its output as lines, and waits on them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface Waiter {
  test: (line: string) => boolean;
  resolve: (line: string) => void;
}

export class StackProcess {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Waiter[] = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (turbo runs build before test)`);
    this.child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line (already seen or still to come) matching `re`; rejects after `timeoutMs` or on exit. */
  waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    const seen = this.lines.slice(from).find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(re.exec(seen) as RegExpExecArray);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no line matching ${re} within ${timeoutMs}ms; output:\n${this.tail()}`)), timeoutMs);
      const onExit = () => finish(new Error(`stack exited before a line matched ${re}; output:\n${this.tail()}`));
      const waiter: Waiter = { test: (l) => re.test(l), resolve: (l) => finish(undefined, re.exec(l) as RegExpExecArray) };
      const finish = (error?: Error, match?: RegExpExecArray) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        if (match) resolve(match);
        else reject(error);
      };
      this.child.once('exit', onExit);
      this.waiters.push(waiter);
    });
  }

  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  private onLine(line: string): void {
    this.lines.push(line);
    for (const w of [...this.waiters]) if (w.test(line)) w.resolve(line);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Last-resort cleanup: SIGKILL a process group / process that may already be gone. */
export function killQuietly(pid: number, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
