// Settings shared by every script, all from `-e NAME=value` / the environment (k6's __ENV).

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** Where handleSummary writes `<script>.json`; relative paths are relative to k6's working directory. */
export const RESULTS_DIR = (__ENV.RESULTS_DIR || 'load-tests/results').replace(/\/+$/, '');

export function envInt(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function envString(name: string, fallback: string): string {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** How many replicas stand behind the balancer (server-1..N), as `pnpm start` and compose name them. */
export const REPLICAS = envInt('REPLICAS', 3);

export function replicaIds(count: number = REPLICAS): string[] {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) ids.push(`server-${i}`);
  return ids;
}

/** Latency and error-rate thresholds every script starts from (overridable per script). */
export const BASE_THRESHOLDS: Record<string, string[]> = {
  http_req_failed: ['rate<0.01'],
  http_req_duration: ['p(95)<500', 'p(99)<1000'],
  checks: ['rate>0.99'],
};

/** p(99) is not in k6's default summary stats. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/** One threshold per replica on a tagged counter: every replica answered at least `min` times. */
export function perReplicaThresholds(metric: string, min: number, count: number = REPLICAS): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const id of replicaIds(count)) out[`${metric}{server_id:${id}}`] = [`count>=${min}`];
  return out;
}
