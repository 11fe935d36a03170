/**
 * Active health: a pure state machine fed by probe results (the prober with its timers
 * lives in the balancer). Modelled on pingora's `Health::observe_health(ok, threshold)`:
 * explicit status plus consecutive counters, and a return value saying whether the
 * status flipped. Kept apart from passive failures (peer.ts) and from operator state
 * (`down`, drain), so one never overwrites another.
 *
 * Transitions (NGINX Plus `health_check passes= fails=`, with `mandatory` semantics for
 * new peers):
 *   unchecked --first pass-------------------> healthy
 *   unchecked --`fails` consecutive failures--> unhealthy
 *   healthy   --`fails` consecutive failures--> unhealthy
 *   unhealthy --`passes` consecutive passes---> healthy
 */
import type { HealthSnapshot } from './types.js';

export type HealthStatus = HealthSnapshot['status'];

export interface HealthThresholds {
  passes: number;
  fails: number;
}

export class ActiveHealth {
  status: HealthStatus = 'unchecked';
  consecutivePasses = 0;
  consecutiveFails = 0;
  checks = 0;
  lastCheckAt: number | undefined;
  lastOk: boolean | undefined;

  /** Record one probe result. Returns true when `status` changed. */
  observe(ok: boolean, now: number, thresholds: HealthThresholds): boolean {
    const before = this.status;
    this.checks++;
    this.lastCheckAt = now;
    this.lastOk = ok;
    if (ok) {
      this.consecutivePasses++;
      this.consecutiveFails = 0;
      const needed = before === 'unchecked' ? 1 : Math.max(1, thresholds.passes);
      // Stryker disable next-line ConditionalExpression: dropping `before !== 'healthy'` only sets 'healthy' again on a healthy peer
      if (before !== 'healthy' && this.consecutivePasses >= needed) this.status = 'healthy';
    } else {
      this.consecutiveFails++;
      this.consecutivePasses = 0;
      // Stryker disable next-line ConditionalExpression: dropping `before !== 'unhealthy'` only sets 'unhealthy' again on an unhealthy peer
      if (before !== 'unhealthy' && this.consecutiveFails >= Math.max(1, thresholds.fails)) {
        this.status = 'unhealthy';
      }
    }
    return this.status !== before;
  }

  snapshot(): HealthSnapshot {
    const snap: HealthSnapshot = {
      status: this.status,
      consecutivePasses: this.consecutivePasses,
      consecutiveFails: this.consecutiveFails,
      checks: this.checks,
    };
    if (this.lastCheckAt !== undefined) snap.lastCheckAt = this.lastCheckAt;
    if (this.lastOk !== undefined) snap.lastOk = this.lastOk;
    return snap;
  }
}
