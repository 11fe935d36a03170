/**
 * NGINX `limit_req` (ngx_http_limit_req_module.c) as a pure function of `(key, now)`.
 *
 * Per key NGINX keeps `excess` in milli-requests and the time of the last accounted request.
 * On each request: `excess = max(0, excess - rate·elapsed + 1000)` (rate in milli-requests per
 * second, integer arithmetic, so the leak is `rate × ms / 1000` truncated). Over `burst` → reject
 * without touching the state. Otherwise the new excess is stored, and the request is forwarded
 * at once when `excess <= delay` (`nodelay` = infinite delay threshold, default `delay=0`) or
 * held back for `(excess - delay) / rate`. `last` only moves when time has passed, and a clock
 * jump backwards is clamped like NGINX does (−60 s or more counts as 1 ms, less as 0).
 *
 * Beyond NGINX: a reject carries `retryAfterSec`, the whole seconds until a request with the
 * same key would fit again; and the key table is an LRU bounded by `maxKeys` (NGINX bounds
 * it by zone size), refreshed on every request so an active client is never the one evicted.
 */

export type RateDecision =
  | { action: 'pass' }
  | { action: 'delay'; delayMs: number }
  | { action: 'reject'; retryAfterSec: number };

export interface RateLimiterOptions {
  /** Requests per second (fractions allowed: 30r/m = 0.5). */
  rate: number;
  /** Requests that may queue above the rate (NGINX `burst`). */
  burst: number;
  /** Forward the whole burst without delay (NGINX `nodelay`). */
  nodelay: boolean;
  /** Excess requests forwarded without delay before delaying starts (NGINX `delay=N`). */
  delay: number;
  /** Upper bound on remembered keys; the least recently seen key is dropped beyond it. */
  maxKeys: number;
}

export interface RateLimiter {
  take(key: string, now: number): RateDecision;
  /** Number of keys currently remembered (≤ maxKeys). */
  size(): number;
}

interface KeyState {
  excess: number; // milli-requests
  last: number; // ms
}

const PASS: RateDecision = Object.freeze({ action: 'pass' });

export const RATE_LIMIT_ERRORS = { RATE_LIMIT_INVALID: 'RATE_LIMIT_INVALID' } as const;

export class RateLimitConfigError extends Error {
  readonly code = RATE_LIMIT_ERRORS.RATE_LIMIT_INVALID;
  constructor(detail: string) {
    super(`rate limit: ${detail}`);
    this.name = 'RateLimitConfigError';
  }
}

function validate(o: RateLimiterOptions): void {
  if (!(o.rate > 0) || !Number.isFinite(o.rate)) throw new RateLimitConfigError(`rate must be > 0, got ${o.rate}`);
  if (!(o.burst >= 0)) throw new RateLimitConfigError(`burst must be >= 0, got ${o.burst}`);
  if (!(o.delay >= 0)) throw new RateLimitConfigError(`delay must be >= 0, got ${o.delay}`);
  if (!(o.maxKeys >= 1)) throw new RateLimitConfigError(`maxKeys must be >= 1, got ${o.maxKeys}`);
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  validate(options);
  // NGINX keeps rate as integer milli-requests per second, truncated (1r/m → 16).
  const rate = Math.max(1, Math.trunc(options.rate * 1000 + 1e-9));
  const burst = Math.floor(options.burst) * 1000;
  const delayThreshold = options.nodelay ? Number.POSITIVE_INFINITY : Math.floor(options.delay) * 1000;
  const maxKeys = Math.floor(options.maxKeys);
  const table = new Map<string, KeyState>();

  /** Whole seconds until `excess - rate·(elapsed)/1000 + 1000 <= burst` holds for this key. */
  const retryAfterSec = (state: KeyState, elapsedMs: number): number => {
    const fitsAfterMs = Math.ceil(((state.excess + 1000 - burst) * 1000) / rate);
    return Math.max(1, Math.ceil((fitsAfterMs - elapsedMs) / 1000));
  };

  const remember = (key: string, state: KeyState): void => {
    table.delete(key); // re-insert = most recently used (Map keeps insertion order)
    table.set(key, state);
    if (table.size > maxKeys) {
      const oldest = table.keys().next();
      if (oldest.done !== true) table.delete(oldest.value);
    }
  };

  const take = (key: string, now: number): RateDecision => {
    const state = table.get(key);
    if (state === undefined) {
      remember(key, { excess: 0, last: now });
      return PASS;
    }
    let ms = now - state.last;
    if (ms < -60000) ms = 1;
    // Stryker disable next-line EqualityOperator: at ms = 0 both branches leave 0
    else if (ms < 0) ms = 0;
    const excess = Math.max(0, state.excess - Math.trunc((rate * ms) / 1000) + 1000);
    remember(key, state);
    if (excess > burst) return { action: 'reject', retryAfterSec: retryAfterSec(state, ms) };
    state.excess = excess;
    if (ms !== 0) state.last = now;
    if (excess <= delayThreshold) return PASS;
    return { action: 'delay', delayMs: Math.trunc(((excess - delayThreshold) * 1000) / rate) };
  };

  return { take, size: () => table.size };
}
