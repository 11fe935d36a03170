// Rate limit: past the limit the balancer answers 429 RATE_LIMITED with Retry-After.
// Needs a balancer with a limit:  RATE_LIMIT=10r/s pnpm start   (compose: RATE_LIMIT on the balancer)
//   k6 run load-tests/rate-limit.ts          (-e REQUESTS=200)
import { check } from 'k6';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { SUMMARY_TREND_STATS, envInt } from './lib/config.ts';
import { SHORT_TEXTS, errorCode, predict } from './lib/predict.ts';
import { summaryHandler } from './lib/summary.ts';

const passed = new Counter('passed');
const limited = new Counter('rate_limited');

// A 429 is the expected answer here, not a failure.
http.setResponseCallback(http.expectedStatuses(200, 429));

export const options: Options = {
  scenarios: {
    // One client, back to back, as fast as it can: far above any sensible per-client limit.
    burst: { executor: 'per-vu-iterations', vus: 1, iterations: envInt('REQUESTS', 200), maxDuration: '1m' },
  },
  thresholds: {
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
    passed: ['count>0'],
    rate_limited: ['count>0'],
    // The limiter answers before any upstream work: rejections stay fast.
    'http_req_duration{status:429}': ['p(95)<100', 'p(99)<250'],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function rateLimit(): void {
  const { res } = predict(SHORT_TEXTS[__ITER % SHORT_TEXTS.length] ?? '');
  if (res.status === 200) passed.add(1);
  if (res.status === 429) limited.add(1);
  check(res, {
    'status is 200 or 429': (r) => r.status === 200 || r.status === 429,
    '429 carries code RATE_LIMITED': (r) => r.status !== 429 || errorCode(r) === 'RATE_LIMITED',
    '429 carries Retry-After': (r) => r.status !== 429 || (r.headers['Retry-After'] ?? '') !== '',
  });
}

export const handleSummary = summaryHandler('rate-limit');
