/**
 * Peak-EWMA latency estimate, after Finagle's `PeakEwma` load metric (also tower's
 * `load::PeakEwma`): a sample above the current cost replaces it at once (peak
 * sensitive), a lower sample is blended in with weight `1 - exp(-Δt/τ)`, and with no
 * samples the estimate decays toward zero as `cost · exp(-idle/τ)`.
 *
 * That decay is what makes least_time re-probe a slow peer: its score keeps shrinking
 * while it is not picked, until it undercuts the peers that are, takes one request,
 * and (if still slow) jumps straight back up through the peak rule.
 *
 * Departure: Finagle/tower decay by storing an `observe(0)` on every read, so the
 * estimate depends on how often it is read. Here reads are pure; only samples change
 * state, so the estimate depends only on the samples and `now`.
 */
export class PeakEwma {
  private cost = 0;
  private stamp = 0;
  private measured = false;
  last: number | undefined;

  constructor(private readonly tauMs: number) {}

  get hasSample(): boolean {
    return this.measured;
  }

  /** Record one latency sample taken at `now`. */
  observe(latencyMs: number, now: number): void {
    const rtt = Math.max(0, latencyMs);
    this.last = rtt;
    if (!this.measured) {
      this.cost = rtt;
      this.measured = true;
    } else if (
      // Stryker disable next-line EqualityOperator: a sample equal to the estimate blends to the same value (cost·w + cost·(1 − w))
      rtt > this.cost
    ) {
      this.cost = rtt;
    } else {
      const w = Math.exp(-Math.max(0, now - this.stamp) / this.tauMs);
      this.cost = this.cost * w + rtt * (1 - w);
    }
    this.stamp = now;
  }

  /** Failures only raise the estimate (a timeout is a latency signal, a refused connect is not). */
  observePeak(latencyMs: number, now: number): void {
    const current = this.estimate(now);
    // Stryker disable next-line EqualityOperator: a peak equal to the current estimate re-stamps it at the value it already has
    if (current !== undefined && latencyMs <= current) return;
    this.cost = latencyMs;
    this.stamp = now;
    this.measured = true;
  }

  /** Estimate at `now`, decayed for the time since the last sample; undefined before any sample. */
  estimate(now: number): number | undefined {
    if (!this.measured) return undefined;
    return this.cost * Math.exp(-Math.max(0, now - this.stamp) / this.tauMs);
  }
}
