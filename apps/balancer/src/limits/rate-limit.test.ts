import { describe, expect, it } from 'vitest';
import { createRateLimiter, RATE_LIMIT_ERRORS, type RateDecision, type RateLimiterOptions } from './rate-limit.js';

const P: RateDecision = { action: 'pass' };
const D = (delayMs: number): RateDecision => ({ action: 'delay', delayMs });
const R = (retryAfterSec: number): RateDecision => ({ action: 'reject', retryAfterSec });

const base: RateLimiterOptions = { rate: 1, burst: 0, nodelay: false, delay: 0, maxKeys: 1000 };

interface Scenario {
  name: string;
  options: Partial<RateLimiterOptions>;
  /** [time in ms, key (default 'k'), expected decision] */
  steps: [number, RateDecision, string?][];
}

const scenarios: Scenario[] = [
  { name: '1r/s burst 0: +500 ms rejected, +1000 ms passes', options: {}, steps: [[0, P], [500, R(1)], [1000, P]] },
  {
    name: '10r/s burst 5 nodelay: exactly 6 instantly, then reject',
    options: { rate: 10, burst: 5, nodelay: true },
    steps: [[0, P], [0, P], [0, P], [0, P], [0, P], [0, P], [0, R(1)], [0, R(1)]],
  },
  {
    name: '10r/s burst 5 (no nodelay): burst delayed by excess/rate',
    options: { rate: 10, burst: 5 },
    steps: [[0, P], [0, D(100)], [0, D(200)], [0, D(300)], [0, D(400)], [0, D(500)], [0, R(1)]],
  },
  {
    name: '10r/s burst 5 delay=2: two immediate, rest delayed',
    options: { rate: 10, burst: 5, delay: 2 },
    steps: [[0, P], [0, P], [0, P], [0, D(100)], [0, D(200)], [0, D(300)], [0, R(1)]],
  },
  {
    name: 'leak by elapsed time × rate frees one slot per 100 ms at 10r/s',
    options: { rate: 10, burst: 5, nodelay: true },
    steps: [[0, P], [0, P], [0, P], [0, P], [0, P], [0, P], [99, R(1)], [100, P], [100, R(1)], [300, P], [300, P], [300, R(1)]],
  },
  {
    name: 'idle time clamps excess at 0 (NGINX clamps after adding the request)',
    options: {},
    steps: [[0, P], [2000, P], [2500, R(1)], [3000, P]],
  },
  {
    name: 'rejected requests do not move the bucket',
    options: {},
    steps: [[0, P], [100, R(1)], [200, R(1)], [999, R(1)], [1000, P]],
  },
  {
    name: 'Retry-After is the ceil of the wait in seconds',
    options: { rate: 0.1 },
    steps: [[0, P], [1000, R(9)], [9999, R(1)], [10000, P]],
  },
  {
    name: '1r/m keeps NGINX integer rate (16 milli-req/s → one per 62.5 s)',
    options: { rate: 1 / 60 },
    steps: [[0, P], [500, R(62)], [62499, R(1)], [62500, P]],
  },
  {
    name: 'small backwards clock step counts as 0 ms and keeps last',
    options: { burst: 5 },
    steps: [[1000, P], [500, D(1000)], [1500, D(1500)]],
  },
  {
    name: 'backwards jump over 60 s counts as 1 ms and re-bases last',
    options: { burst: 5 },
    steps: [[100000, P], [0, D(999)], [1000, D(999)]],
  },
  {
    name: 'keys are independent',
    options: {},
    steps: [[0, P, 'a'], [0, P, 'b'], [0, R(1), 'a'], [0, R(1), 'b'], [1000, P, 'a']],
  },
  {
    name: 'LRU: the least recently seen key is forgotten past maxKeys',
    options: { maxKeys: 2 },
    steps: [[0, P, 'a'], [0, P, 'b'], [0, P, 'c'], [0, P, 'a'], [0, R(1), 'c'], [0, P, 'b']],
  },
  {
    name: 'LRU: a rejected (active) key is refreshed and not the one evicted',
    options: { maxKeys: 2 },
    steps: [[0, P, 'a'], [0, P, 'b'], [0, R(1), 'a'], [0, P, 'c'], [0, R(1), 'a'], [0, P, 'b']],
  },
];

describe('createRateLimiter (NGINX limit_req)', () => {
  it.each(scenarios)('$name', ({ options, steps }) => {
    const limiter = createRateLimiter({ ...base, ...options });
    const got = steps.map(([t, , key]) => limiter.take(key ?? 'k', t));
    expect(got).toEqual(steps.map(([, want]) => want));
  });

  it('bounds memory: size never exceeds maxKeys', () => {
    const limiter = createRateLimiter({ ...base, maxKeys: 100 });
    for (let i = 0; i < 10000; i++) limiter.take(`client-${i}`, 0);
    expect(limiter.size()).toBe(100);
    expect(limiter.take('client-9999', 0)).toEqual(R(1)); // recent key remembered
    expect(limiter.take('client-0', 0)).toEqual(P); // oldest forgotten
    expect(limiter.size()).toBe(100);
  });

  it('sustained 10r/s traffic at exactly the rate always passes', () => {
    const limiter = createRateLimiter({ ...base, rate: 10 });
    const decisions = Array.from({ length: 100 }, (_, i) => limiter.take('k', i * 100));
    expect(decisions.every((d) => d.action === 'pass')).toBe(true);
  });

  it.each([
    { rate: 0 },
    { rate: -1 },
    { rate: Number.NaN },
    { rate: Number.POSITIVE_INFINITY },
    { burst: -1 },
    { delay: -1 },
    { maxKeys: 0 },
  ])('rejects invalid options %j', (bad) => {
    expect(() => createRateLimiter({ ...base, ...bad })).toThrow(
      expect.objectContaining({ code: RATE_LIMIT_ERRORS.RATE_LIMIT_INVALID }),
    );
  });
});
