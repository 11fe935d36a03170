// Least connections with mixed short and long texts: long requests hold a replica longer, so
// least_conn should keep every replica busy and short requests fast.
// Start the balancer with STRATEGY=least_conn:  pnpm start -- --strategy least_conn
//   k6 run load-tests/least-conn.ts          (-e VUS=8 -e DURATION=30s -e LONG_WORDS=2000)
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { BASE_THRESHOLDS, SUMMARY_TREND_STATS, envInt, envString, perReplicaThresholds } from './lib/config.ts';
import { SHORT_TEXTS, longText, predict } from './lib/predict.ts';
import { summaryHandler } from './lib/summary.ts';

const LONG = longText(envInt('LONG_WORDS', 2000));
/** One request in LONG_EVERY is long. */
const LONG_EVERY = Math.max(1, envInt('LONG_EVERY', 4));
const hits = new Counter('replica_hits');

export const options: Options = {
  scenarios: {
    mixed: { executor: 'constant-vus', vus: envInt('VUS', 8), duration: envString('DURATION', '30s'), gracefulStop: '10s' },
  },
  thresholds: {
    ...BASE_THRESHOLDS,
    'http_req_duration{size:short}': ['p(95)<500', 'p(99)<1000'],
    'http_req_duration{size:long}': ['p(95)<2000', 'p(99)<4000'],
    ...perReplicaThresholds('replica_hits', 1),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function leastConn(): void {
  const long = (__VU + __ITER) % LONG_EVERY === 0;
  const size = long ? 'long' : 'short';
  const { res, serverId } = predict(long ? LONG : (SHORT_TEXTS[__ITER % SHORT_TEXTS.length] ?? ''), { size });
  hits.add(1, { server_id: serverId || 'none' });
  check(res, { 'status is 200': (r) => r.status === 200, 'has a server_id': () => serverId !== '' });
}

export const handleSummary = summaryHandler('least-conn');
