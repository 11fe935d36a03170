// Round robin: every response's server_id; all replicas answer, in turn.
// Start the balancer with STRATEGY=round_robin (the default of `pnpm start` and of compose).
//   k6 run load-tests/rotation.ts            (-e BASE_URL=… -e REPLICAS=3 -e ROUNDS=20)
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { BASE_THRESHOLDS, REPLICAS, SUMMARY_TREND_STATS, envInt, perReplicaThresholds } from './lib/config.ts';
import { SHORT_TEXTS, predict } from './lib/predict.ts';
import { summaryHandler } from './lib/summary.ts';

const ROUNDS = envInt('ROUNDS', 20);

/** Responses whose server_id breaks the cycle of the first REPLICAS responses. */
const outOfTurn = new Counter('rotation_out_of_turn');
const hits = new Counter('replica_hits');

export const options: Options = {
  scenarios: {
    // One VU, one request at a time: nothing else moves the round-robin pointer.
    rotation: { executor: 'per-vu-iterations', vus: 1, iterations: REPLICAS * ROUNDS, maxDuration: '2m' },
  },
  thresholds: {
    ...BASE_THRESHOLDS,
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
    rotation_out_of_turn: ['count==0'],
    ...perReplicaThresholds('replica_hits', ROUNDS - 1),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

// Per-VU state (one VU here): the order seen so far.
const seen: string[] = [];

export default function rotation(): void {
  const i = seen.length;
  const { res, serverId } = predict(SHORT_TEXTS[i % SHORT_TEXTS.length] ?? '');
  seen.push(serverId);
  hits.add(1, { server_id: serverId || 'none' });
  // The first REPLICAS answers are all different; from then on answer i repeats answer i - REPLICAS.
  const inTurn = i < REPLICAS ? seen.indexOf(serverId) === i : seen[i - REPLICAS] === serverId;
  if (!inTurn) outOfTurn.add(1);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'has a server_id': () => serverId !== '',
    'server_id in turn': () => inTurn,
  });
}

export const handleSummary = summaryHandler('rotation');
