/**
 * One supervised child process (a replica or the balancer): spawn, prefix its output, wait
 * for readiness, restart it with backoff once supervised, stop it with SIGTERM → SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRestartTracker, type BackoffPolicy, type RestartTracker } from './backoff.js';
import { STACK_ERRORS, StackError, isStackError } from './errors.js';
import { httpProbe, waitUntilReady, type FetchLike } from './readiness.js';
import { sleep } from './sleep.js';

export interface ServiceSpec {
  name: string;
  /** Absolute path of the JS entry, run with this node binary. */
  entry: string;
  /** `node` flags before the entry (a replica's heap sizing: `@fleet/model-server/node-flags`). */
  nodeArgs?: readonly string[];
  env: NodeJS.ProcessEnv;
  readyUrl: string;
  readyHeaders?: Record<string, string>;
}

export interface ServiceTiming {
  readyTimeoutMs: number;
  readyIntervalMs: number;
  probeTimeoutMs: number;
  stopTimeoutMs: number;
  backoff: BackoffPolicy;
}

export interface Reporter {
  /** A line from the stack about a child: `started (pid 12)`. */
  event(name: string, message: string): void;
  /** A line the child printed itself. */
  output(name: string, line: string, stream: 'stdout' | 'stderr'): void;
}

interface Running {
  child: ChildProcess;
  pid: number;
  startedAt: number;
  /** Aborted when this incarnation exits. */
  alive: AbortController;
  exited: Promise<void>;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `signal ${signal}` : `code ${code ?? 'unknown'}`;
}

/** SIGKILL the child's whole process group (it leads one: spawned detached). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const RECENT_LINES = 20;

export class Service {
  readonly pids: number[] = [];
  /** The child's last output lines (all incarnations), shown when it fails to start under --quiet. */
  readonly recent: string[] = [];
  private running: Running | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private supervised = false;
  private stopping = false;
  private readonly tracker: RestartTracker;

  constructor(
    readonly spec: ServiceSpec,
    private readonly timing: ServiceTiming,
    private readonly reporter: Reporter,
    private readonly fetchFn: FetchLike,
  ) {
    this.tracker = createRestartTracker(timing.backoff);
  }

  get pid(): number | undefined {
    return this.running?.pid;
  }

  start(): number {
    // detached: its own process group, so a terminal's Ctrl-C reaches only the stack, which then
    // stops the children in order (balancer first) with one SIGTERM each.
    const child = spawn(process.execPath, [...(this.spec.nodeArgs ?? []), this.spec.entry], {
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.on('error', (error) => this.reporter.event(this.spec.name, `process error: ${error.message}`));
    if (child.pid === undefined) {
      throw new StackError(STACK_ERRORS.SPAWN_FAILED, `${this.spec.name}: could not start ${this.spec.entry}`);
    }
    const alive = new AbortController();
    let markExited = () => {};
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const run: Running = { child, pid: child.pid, startedAt: Date.now(), alive, exited };
    this.running = run;
    this.pids.push(run.pid);
    this.pipe(child);
    // 'close' comes after 'exit' once the child's stdout/stderr are drained: its last lines are in.
    child.once('close', (code, signal) => {
      markExited();
      this.onExit(run, code, signal);
    });
    return run.pid;
  }

  /** Until the current incarnation answers ready; rejects when it exits first, times out, or `signal` aborts. */
  async waitReady(signal?: AbortSignal): Promise<number> {
    const run = this.running;
    if (run === undefined) throw new StackError(STACK_ERRORS.EXITED_BEFORE_READY, `${this.spec.name} is not running`);
    const probe = httpProbe(this.fetchFn, this.spec.readyUrl, {
      timeoutMs: this.timing.probeTimeoutMs,
      ...(this.spec.readyHeaders ? { headers: this.spec.readyHeaders } : {}),
    });
    const abort = signal ? AbortSignal.any([run.alive.signal, signal]) : run.alive.signal;
    return waitUntilReady(
      { probe, now: () => Date.now(), sleep },
      { name: this.spec.name, timeoutMs: this.timing.readyTimeoutMs, intervalMs: this.timing.readyIntervalMs, signal: abort },
    );
  }

  /** From now on a crash is answered by a restart (with backoff). */
  supervise(): void {
    this.supervised = true;
    if (this.running === undefined && this.restartTimer === undefined && !this.stopping) {
      this.reporter.event(this.spec.name, 'exited before supervision began; restarting');
      this.restart();
    }
  }

  /** SIGTERM, then SIGKILL after the stop timeout; no restart afterwards. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const run = this.running;
    if (run === undefined) return;
    run.child.kill('SIGTERM');
    const seconds = (this.timing.stopTimeoutMs / 1000).toFixed(1);
    const killer = setTimeout(() => {
      this.reporter.event(this.spec.name, `still running ${seconds}s after SIGTERM: sending SIGKILL`);
      killGroup(run.pid);
    }, this.timing.stopTimeoutMs);
    await run.exited;
    clearTimeout(killer);
  }

  /** Synchronous last resort (second Ctrl-C, process exit). */
  kill(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (this.running !== undefined) killGroup(this.running.pid);
  }

  private pipe(child: ChildProcess): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const input = child[stream];
      if (input === null) continue;
      createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
        this.recent.push(line);
        if (this.recent.length > RECENT_LINES) this.recent.shift();
        this.reporter.output(this.spec.name, line, stream);
      });
    }
  }

  private onExit(run: Running, code: number | null, signal: NodeJS.Signals | null): void {
    const how = describeExit(code, signal);
    if (this.running === run) this.running = undefined;
    run.alive.abort(new StackError(STACK_ERRORS.EXITED_BEFORE_READY, `${this.spec.name} exited (${how}) before it was ready`));
    if (this.stopping) {
      this.reporter.event(this.spec.name, `stopped (${how})`);
      return;
    }
    if (!this.supervised) return;
    const uptimeMs = Date.now() - run.startedAt;
    const delay = this.tracker.nextDelay(uptimeMs);
    this.reporter.event(
      this.spec.name,
      `exited (${how}) after ${(uptimeMs / 1000).toFixed(1)}s; restarting in ${(delay / 1000).toFixed(1)}s (restart #${this.tracker.attempt} in a row)`,
    );
    this.restartTimer = setTimeout(() => this.restart(), delay);
  }

  private restart(): void {
    this.restartTimer = undefined;
    if (this.stopping) return;
    let pid: number;
    try {
      pid = this.start();
    } catch (error) {
      // No process, so no exit event to answer: schedule the next try from here.
      const delay = this.tracker.nextDelay(0);
      this.reporter.event(this.spec.name, `restart failed (${String(error)}); trying again in ${(delay / 1000).toFixed(1)}s`);
      this.restartTimer = setTimeout(() => this.restart(), delay);
      return;
    }
    this.reporter.event(this.spec.name, `restarted (pid ${pid})`);
    this.waitReady().then(
      (ms) => this.reporter.event(this.spec.name, `ready again in ${(ms / 1000).toFixed(1)}s (pid ${pid})`),
      (error: unknown) => this.onRestartNotReady(error),
    );
  }

  private onRestartNotReady(error: unknown): void {
    // An exit is reported (and answered with the next restart) by onExit.
    if (isStackError(error) && error.code === STACK_ERRORS.EXITED_BEFORE_READY) return;
    if (this.stopping) return;
    this.reporter.event(this.spec.name, `not ready after restart: ${error instanceof Error ? error.message : String(error)}`);
  }
}
