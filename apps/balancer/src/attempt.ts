import type { RouteConfig } from '@fleet/config';
import type { PickedPeer } from '@fleet/lb-core';
import type { BalancerErrorCode } from './errors.js';
import type { Metrics } from './metrics.js';
import type { GroupView } from './upstreams/upstream.js';

/**
 * The contract between the walk (`walk.ts`, which decides) and an exchange (`proxy.ts` for plain
 * requests, `upgrade.ts` for upgrades, which only run attempts and report what happened).
 */
export interface AttemptRecord {
  peer: string;
  status?: number;
  error?: string;
  durationMs: number;
}

export type AttemptResult =
  | { kind: 'relayed'; status: number }
  | { kind: 'discarded'; status: number }
  | { kind: 'failed'; error: unknown }
  | { kind: 'cancelled' };

export interface AttemptControl {
  /** Deadline for the response head in ms (0 = none). */
  readonly headersTimeoutMs: number;
  /** At the final response head: true = this answer goes to the client. */
  decide(status: number): boolean;
  /**
   * The attempt's end, reported once by the exchange (a later report is ignored). It may come
   * synchronously, from inside `start` or `cancel`: the walk handles it after the step it is in.
   */
  settled(result: AttemptResult): void;
}

/** An attempt once started (no promise per attempt: its end goes to `AttemptControl.settled`). */
export interface RunningAttempt {
  /** Stop the attempt; it reports `cancelled` unless it already settled. */
  cancel(): void;
}

/** For an attempt that ended before it ran (nothing to stop). */
export const NOTHING_TO_CANCEL: RunningAttempt = { cancel: () => undefined };

export interface Exchange {
  readonly replayable: boolean;
  /** Whether per-try timeouts and hedges may apply (upgrades: no). */
  readonly hedgeable: boolean;
  start(peer: PickedPeer, control: AttemptControl): RunningAttempt;
  /** Answer the client with a balancer error; returns the status sent. */
  answer(code: BalancerErrorCode): number;
  /** Register the one callback for "the client went away". */
  onClientGone(fn: () => void): void;
}

export interface WalkInput {
  upstream: GroupView;
  route: RouteConfig;
  method: string;
  clientIp: string;
  hashKey?: string | undefined;
}

export interface WalkDeps {
  now: () => number;
  metrics: Metrics;
  logger: { warn(obj: object, msg: string): void };
}

export interface WalkOutcome {
  status: number;
  attempts: AttemptRecord[];
}


/** How a walk reports its end, once: the outcome, or the error when a step threw. */
export interface WalkEnd {
  walkEnded(outcome: WalkOutcome): void;
  walkFailed(err: unknown): void;
}
