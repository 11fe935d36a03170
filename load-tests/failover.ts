// Failover: no failed request while a replica is killed (and restarted) during the run.
// The balancer retries /predict on the next replica after a connect error or a reset.
// Kill one replica while this runs (see README.md: `kill -9 <pid>` printed by `pnpm start`,
// or `docker compose kill model-server-2`).
//   k6 run load-tests/failover.ts            (-e VUS=4 -e DURATION=60s)
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { BASE_THRESHOLDS, SUMMARY_TREND_STATS, envInt, envString } from './lib/config.ts';
import { SHORT_TEXTS, predict } from './lib/predict.ts';
import { summaryHandler } from './lib/summary.ts';

const hits = new Counter('replica_hits');

export const options: Options = {
  scenarios: {
    steady: { executor: 'constant-vus', vus: envInt('VUS', 4), duration: envString('DURATION', '60s'), gracefulStop: '10s' },
  },
  thresholds: {
    ...BASE_THRESHOLDS,
    // The point of the test: not one failed request.
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
    // A retried request is slower; the tail may grow while a replica is down.
    http_req_duration: ['p(95)<1000', 'p(99)<3000'],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function failover(): void {
  const { res, serverId } = predict(SHORT_TEXTS[__ITER % SHORT_TEXTS.length] ?? '');
  hits.add(1, { server_id: serverId || 'none' });
  check(res, { 'status is 200': (r) => r.status === 200, 'has a server_id': () => serverId !== '' });
}

export const handleSummary = summaryHandler('failover');
