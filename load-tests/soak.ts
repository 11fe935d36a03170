// Soak: a steady arrival rate for a long-ish, bounded time; latency and errors must stay flat.
//   k6 run load-tests/soak.ts                (-e RATE=20 -e DURATION=5m)
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { BASE_THRESHOLDS, SUMMARY_TREND_STATS, envInt, envString, perReplicaThresholds } from './lib/config.ts';
import { SHORT_TEXTS, longText, predict } from './lib/predict.ts';
import { summaryHandler } from './lib/summary.ts';

const LONG = longText(200);
const hits = new Counter('replica_hits');

export const options: Options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: envInt('RATE', 20),
      timeUnit: '1s',
      duration: envString('DURATION', '5m'),
      preAllocatedVUs: 10,
      maxVUs: envInt('MAX_VUS', 50),
      gracefulStop: '10s',
    },
  },
  thresholds: {
    ...BASE_THRESHOLDS,
    http_req_failed: ['rate<0.001'],
    // Iterations k6 could not start in time mean the stack fell behind the rate.
    dropped_iterations: ['count<10'],
    ...perReplicaThresholds('replica_hits', 1),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function soak(): void {
  const text = __ITER % 10 === 0 ? LONG : (SHORT_TEXTS[__ITER % SHORT_TEXTS.length] ?? '');
  const { res, serverId } = predict(text);
  hits.add(1, { server_id: serverId || 'none' });
  check(res, { 'status is 200': (r) => r.status === 200 });
}

export const handleSummary = summaryHandler('soak');
