/** Bounded polling (no fixed sleeps): until a check passes, a child exits, or the bound is hit. */
import { setTimeout as delay } from 'node:timers/promises';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { BENCH_KIT_ERRORS, BenchKitError } from './errors.js';
import { isRunning } from './processes.js';

export interface WaitOptions {
  /** Shown in errors. */
  name: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Fail at once (BENCH_EXITED_BEFORE_READY) when this child exits. */
  child?: ChildProcess;
  /** Extra text for the error (e.g. the child's last lines). */
  detail?: () => string;
}

/** Resolves with the elapsed ms once `check()` returns true. */
export async function waitFor(check: () => Promise<boolean>, o: WaitOptions): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (o.child && !isRunning(o.child)) {
      throw new BenchKitError(BENCH_KIT_ERRORS.EXITED_BEFORE_READY, `${o.name} exited (${o.child.exitCode ?? o.child.signalCode}) before it was ready\n${o.detail?.() ?? ''}`);
    }
    if (await check()) return performance.now() - started;
    if (performance.now() - started > o.timeoutMs) {
      throw new BenchKitError(BENCH_KIT_ERRORS.READY_TIMEOUT, `${o.name} not ready after ${o.timeoutMs} ms\n${o.detail?.() ?? ''}`);
    }
    await delay(o.intervalMs ?? 50);
  }
}

/** True when a GET answers `status` (default 200) within `timeoutMs`. */
export async function httpOk(url: string, status = 200, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === status;
  } catch (error) {
    if (error instanceof Error) return false; // refused / reset / timed out: "not yet"
    throw error;
  }
}

/** True when a TCP connection to 127.0.0.1:port succeeds. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
