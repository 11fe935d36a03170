/**
 * State of one peer: its configuration, passive health (NGINX max_fails/fail_timeout),
 * smooth-WRR weights, in-flight count, operator drain, active health and latency.
 *
 * Passive health follows ngx_http_upstream_round_robin.c to the letter, with times in
 * ms instead of seconds:
 * - `checked` is stamped on a failure, and on a pick when `now - checked > fail_timeout`
 *   (`ngx_http_upstream_get_peer`); `accessed` is stamped on a failure
 *   (`ngx_http_upstream_free_round_robin_peer`).
 * - The peer is out while `max_fails && fails >= max_fails && now - checked <= fail_timeout`.
 *   Once the window has passed one pick is let through (it re-stamps `checked`, which
 *   closes the window again): that is the single probe request.
 * - A success resets `fails` only if `accessed < checked`, i.e. the request was picked
 *   after the last failure's window closed (failures count within the window).
 * - A failure lowers `effective_weight` by `weight / max_fails` (integer division); it
 *   climbs back one step per selection round in round robin (strategies/smooth.ts).
 * - In a group with a single peer and no backups NGINX never counts failures (`single`),
 *   so that peer is never taken out.
 */
import type { PeerConfig } from './types.js';
import { ActiveHealth } from './health.js';
import { PeakEwma } from './ewma.js';
import { slowStartFactor } from './slow-start.js';

export const DEFAULT_DECAY_MS = 10_000;

export class PeerEntry {
  config: PeerConfig;
  readonly health = new ActiveHealth();
  readonly latency: PeakEwma;

  inFlight = 0;
  requests = 0;
  /** Failures counted in the current window (NGINX `fails`). */
  fails = 0;
  totalFails = 0;
  ejections = 0;
  /** NGINX `peer->checked`. */
  checked: number;
  /** NGINX `peer->accessed`. */
  accessed: number;
  /** Smooth WRR state (NGINX `effective_weight`, `current_weight`). */
  effectiveWeight: number;
  currentWeight = 0;
  drained = false;
  /** Start of the slow_start ramp, if one is running. */
  recoveredAt: number | undefined;

  constructor(config: PeerConfig, now: number, decayMs: number = DEFAULT_DECAY_MS) {
    this.config = config;
    this.checked = now;
    this.accessed = now;
    this.effectiveWeight = config.weight;
    this.latency = new PeakEwma(decayMs);
  }

  get id(): string {
    return this.config.id;
  }

  /** Passive health: taken out by max_fails within fail_timeout. */
  isFailed(now: number): boolean {
    const { maxFails, failTimeoutMs } = this.config;
    return maxFails > 0 && this.fails >= maxFails && now - this.checked <= failTimeoutMs;
  }

  atMaxConns(): boolean {
    return this.config.maxConns > 0 && this.inFlight >= this.config.maxConns;
  }

  /** Called for the peer a strategy chose. */
  onPicked(now: number): void {
    this.requests++;
    if (now - this.checked > this.config.failTimeoutMs) this.checked = now;
  }

  /** A failed attempt. `single`: the group's only peer, never taken out (NGINX). */
  onFailure(now: number, single: boolean): void {
    this.totalFails++;
    if (single) return;
    const wasOut = this.isFailed(now);
    this.fails++;
    this.accessed = now;
    this.checked = now;
    const { maxFails, weight } = this.config;
    if (maxFails > 0) {
      this.effectiveWeight -= Math.floor(weight / maxFails);
      if (!wasOut && this.fails >= maxFails) this.ejections++;
    }
    // Stryker disable next-line EqualityOperator: `<= 0` only sets 0 to 0
    if (this.effectiveWeight < 0) this.effectiveWeight = 0;
  }

  /** A successful attempt: the probe (or any pick after the window) clears `fails`. */
  onSuccess(now: number): void {
    if (this.accessed < this.checked) {
      const wasEjected = this.config.maxFails > 0 && this.fails >= this.config.maxFails;
      this.fails = 0;
      if (wasEjected) this.startSlowStart(now);
    }
  }

  startSlowStart(now: number): void {
    if (this.config.slowStartMs > 0) this.recoveredAt = now;
  }

  /** Multiplier for the weight while slow_start ramps (1 otherwise). */
  rampFactor(now: number): number {
    return slowStartFactor(this.config.slowStartMs, this.recoveredAt, now);
  }

  /** Configured weight scaled by slow_start (least_conn, random, least_time). */
  weightAt(now: number): number {
    return this.config.weight * this.rampFactor(now);
  }

  /** Smooth WRR's per-round increment: effective_weight scaled by slow_start. */
  wrrWeightAt(now: number): number {
    return this.effectiveWeight * this.rampFactor(now);
  }

  /** Replace the configuration of a surviving peer (reload, DNS); state is kept. */
  reconfigure(config: PeerConfig, now: number): void {
    const wasDown = this.config.down;
    this.config = config;
    // Stryker disable next-line EqualityOperator: `>=` only sets an equal weight again
    if (this.effectiveWeight > config.weight) this.effectiveWeight = config.weight;
    if (wasDown && !config.down) this.startSlowStart(now);
  }
}
