/**
 * slow_start (NGINX Plus `server ... slow_start=30s`): after a peer recovers, its weight
 * ramps linearly from a floor up to the nominal weight over `slowStartMs`.
 *
 * Departure from NGINX Plus (which starts from zero): the ramp starts at 10% of the
 * weight, like Envoy's slow start `min_weight_percent` default, so a recovered peer in a
 * group of heavy peers still gets the occasional request and the ramp is observable.
 */

/** Share of the nominal weight at the very start of the ramp. */
export const SLOW_START_MIN_FACTOR = 0.1;

/**
 * Multiplier in (0, 1] for the peer's weight at `now`. 1 when slow start is off, when
 * the peer never recovered (`since` undefined), or once the ramp is over.
 */
export function slowStartFactor(slowStartMs: number, since: number | undefined, now: number): number {
  if (slowStartMs <= 0 || since === undefined) return 1;
  const elapsed = now - since;
  // Stryker disable next-line EqualityOperator: at elapsed == slowStartMs the linear ramp gives 1 as well
  if (elapsed >= slowStartMs) return 1;
  const linear = Math.max(0, elapsed) / slowStartMs;
  return Math.max(SLOW_START_MIN_FACTOR, linear);
}
