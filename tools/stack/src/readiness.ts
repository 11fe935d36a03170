/**
 * Readiness polling with everything injected (probe, clock, sleep), so tests run on a fake
 * clock. Bounded: gives up with STACK_READY_TIMEOUT after timeoutMs, naming the last probe result.
 */
import { STACK_ERRORS, StackError } from './errors.js';

export interface ProbeResult {
  ready: boolean;
  /** `200`, `503`, `ECONNREFUSED`… — shown when the wait times out. */
  detail: string;
}

export interface WaitReadyDeps {
  probe(): Promise<ProbeResult>;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface WaitReadyOptions {
  /** Shown in errors: `server-2`. */
  name: string;
  timeoutMs: number;
  intervalMs: number;
  /** Aborts the wait (child exited, Ctrl-C); the abort reason is thrown. */
  signal?: AbortSignal;
}

/** Resolves with the time it took once a probe says ready. */
export async function waitUntilReady(deps: WaitReadyDeps, options: WaitReadyOptions): Promise<number> {
  const started = deps.now();
  for (;;) {
    options.signal?.throwIfAborted();
    const result = await deps.probe();
    options.signal?.throwIfAborted();
    if (result.ready) return deps.now() - started;
    const left = started + options.timeoutMs - deps.now();
    if (left <= 0) {
      throw new StackError(
        STACK_ERRORS.READY_TIMEOUT,
        `${options.name} was not ready after ${Math.round(options.timeoutMs / 1000)}s (last probe: ${result.detail})`,
      );
    }
    await deps.sleep(Math.min(options.intervalMs, left), options.signal);
  }
}

export type FetchLike = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<{ status: number; body?: { cancel(): Promise<void> } | null }>;

/** One GET: ready on 200. A refused connection is the normal "not yet", reported as its code. */
export function httpProbe(
  fetchFn: FetchLike,
  url: string,
  options: { timeoutMs: number; headers?: Record<string, string> },
): () => Promise<ProbeResult> {
  return async () => {
    try {
      const res = await fetchFn(url, { signal: AbortSignal.timeout(options.timeoutMs), headers: options.headers ?? {} });
      await res.body?.cancel();
      return { ready: res.status === 200, detail: `HTTP ${res.status}` };
    } catch (error) {
      return { ready: false, detail: describeFetchError(error) };
    }
  };
}

export function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'probe timed out';
    return error.message;
  }
  return String(error);
}
