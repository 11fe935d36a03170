/**
 * Public contract of lb-core. Pure: no clock, no randomness, no I/O. Time (`now`, in
 * milliseconds on any monotonic scale) and the random source are passed in by the caller.
 */

export const STRATEGY_NAMES = [
  'round_robin',
  'least_conn',
  'ip_hash',
  'hash',
  'random',
  'random_two',
  'least_time',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Uniform in [0, 1). Inject a seeded one in tests, `Math.random` at the edges. */
export type RandomSource = () => number;

/** Static configuration of one peer (NGINX `server` parameters, times in ms). */
export interface PeerConfig {
  /** Stable identity across set replacements; by convention the dialed `host:port`. */
  id: string;
  /** `host:port` to dial (a resolved IP for DNS-discovered peers). */
  address: string;
  /** The configured server name this peer came from (e.g. `model-server:8000`). */
  name: string;
  weight: number;
  maxFails: number;
  failTimeoutMs: number;
  backup: boolean;
  down: boolean;
  /** 0 = unlimited. */
  maxConns: number;
  /** 0 = off. */
  slowStartMs: number;
}

export interface StrategyOptions {
  name: StrategyName;
  /** `hash` only: ketama consistent hashing (NGINX `hash $key consistent`). */
  consistent?: boolean;
  /** `least_time` only: Peak-EWMA decay time constant in ms (default 10_000). */
  decayMs?: number;
}

/** Active health checking thresholds (NGINX Plus `health_check passes= fails=`). */
export interface ActiveHealthOptions {
  enabled: boolean;
  /** Consecutive passes to become healthy. */
  passes: number;
  /** Consecutive failures to become unhealthy. */
  fails: number;
}

export interface GroupOptions {
  name: string;
  strategy: StrategyOptions;
  peers: readonly PeerConfig[];
  random: RandomSource;
  /** When enabled, a new peer takes no traffic until its first passing check. */
  activeHealth?: ActiveHealthOptions;
  now: number;
}

export interface SelectContext {
  now: number;
  /** Client address (already resolved through trusted proxies) for ip_hash. */
  clientIp?: string;
  /** Evaluated hash key for `hash`. Empty or missing → round robin. */
  hashKey?: string;
  /** Peer ids already attempted for this request (NGINX `tried` bitmap). */
  tried?: ReadonlySet<string>;
}

export const LB_ERROR_CODES = {
  NO_PEERS: 'LB_NO_PEERS',
  NO_LIVE_UPSTREAM: 'LB_NO_LIVE_UPSTREAM',
  ALL_AT_MAX_CONNS: 'LB_ALL_AT_MAX_CONNS',
  ALL_TRIED: 'LB_ALL_TRIED',
} as const;
export type LbErrorCode = (typeof LB_ERROR_CODES)[keyof typeof LB_ERROR_CODES];

export interface PickedPeer {
  readonly id: string;
  readonly address: string;
  readonly name: string;
  readonly backup: boolean;
}

export type SelectResult =
  | { ok: true; peer: PickedPeer }
  | { ok: false; code: LbErrorCode; message: string };

/** Outcome of one attempt against a peer, fed back by the proxy. */
export interface Outcome {
  ok: boolean;
  now: number;
  /** Time to response headers (or to failure), for least_time. */
  latencyMs?: number;
}

export type PeerState =
  | 'up'
  | 'down' // operator `down` in config
  | 'draining' // operator drain: no new picks
  | 'failed' // passive: max_fails reached within fail_timeout
  | 'unhealthy' // active checks failing
  | 'unchecked'; // active checks on, no pass yet

export interface HealthSnapshot {
  status: 'unchecked' | 'healthy' | 'unhealthy';
  consecutivePasses: number;
  consecutiveFails: number;
  checks: number;
  lastCheckAt?: number;
  lastOk?: boolean;
}

export interface PeerSnapshot {
  id: string;
  address: string;
  name: string;
  backup: boolean;
  state: PeerState;
  weight: number;
  effectiveWeight: number;
  inFlight: number;
  maxConns: number;
  requests: number;
  /** Failures in the current fail_timeout window. */
  fails: number;
  totalFails: number;
  /** Times the peer was taken out by passive health. */
  ejections: number;
  lastLatencyMs?: number;
  ewmaLatencyMs?: number;
  health: HealthSnapshot;
  /** slow_start: share of the weight currently in effect, in (0, 1]; 1 when no ramp runs. */
  slowStartFactor?: number;
}

export interface GroupSnapshot {
  name: string;
  strategy: StrategyName;
  peers: PeerSnapshot[];
}

export interface Group {
  readonly name: string;
  readonly strategy: StrategyName;
  /** Pick one peer not in `ctx.tried`, or say why none can be picked. */
  select(ctx: SelectContext): SelectResult;
  /**
   * Yield picks in order, marking each as tried, up to `maxTries` (the retry walk).
   * The first pick is made at `ctx.now`; each later pick at `now()` when a clock is
   * given (so a retry sees fail windows and slow start as of the retry), else at `ctx.now`.
   */
  candidates(ctx: SelectContext, maxTries: number, now?: () => number): Generator<SelectResult, void, void>;
  /** Count an in-flight request on the peer (least_conn, max_conns, least_time). */
  acquire(peerId: string): void;
  release(peerId: string): void;
  /** Passive health and latency feedback. */
  report(peerId: string, outcome: Outcome): void;
  /** Result of one active health probe. Returns true when the health status flipped. */
  observeHealthCheck(peerId: string, ok: boolean, now: number): boolean;
  /** Operator drain. Returns false for an unknown peer. */
  setDrain(peerId: string, drained: boolean): boolean;
  /** Replace the peer set; peers whose id remains keep their state and counters. */
  setPeers(peers: readonly PeerConfig[], now: number): void;
  snapshot(now: number): GroupSnapshot;
}
