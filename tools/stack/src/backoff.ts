/**
 * Restart schedule for crashed children, like systemd `Restart=always` with a growing
 * `RestartSec`: initial, initial·factor, … capped at maxMs; a child that stayed up for
 * resetAfterMs before it died starts over at the initial delay. Pure: uptime comes in.
 */
export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, factor: 2, maxMs: 30_000, resetAfterMs: 10_000 };

/** Delay before restart number `attempt` (0-based) of a run of quick crashes. */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  const raw = policy.initialMs * policy.factor ** Math.max(0, attempt);
  return Math.min(policy.maxMs, Math.round(raw));
}

export interface RestartTracker {
  /** Called when the child exited after running for `uptimeMs`; returns the delay before restarting it. */
  nextDelay(uptimeMs: number): number;
  /** Restarts in the current run of quick crashes. */
  readonly attempt: number;
}

export function createRestartTracker(policy: BackoffPolicy = DEFAULT_BACKOFF): RestartTracker {
  let attempt = 0;
  return {
    nextDelay(uptimeMs: number): number {
      if (uptimeMs >= policy.resetAfterMs) attempt = 0;
      const delay = backoffDelay(policy, attempt);
      attempt += 1;
      return delay;
    },
    get attempt() {
      return attempt;
    },
  };
}
