// A short markdown table of a k6 summary (the metrics with thresholds, plus requests and
// iterations), for READMEs and PR descriptions: handleSummary writes it to RESULTS_DIR/<name>.md.
// Pure: no k6 modules, no __ENV.

export interface ThresholdResult {
  ok: boolean;
}
export interface MetricSummary {
  type: string;
  values: Record<string, number>;
  thresholds?: Record<string, ThresholdResult>;
}
export interface SummaryData {
  metrics: Record<string, MetricSummary>;
  state?: { testRunDurationMs?: number };
}

function ms(value: number | undefined): string {
  return value === undefined ? '–' : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

export function metricValue(m: MetricSummary): string {
  const v = m.values;
  if (m.type === 'trend') return `p50 ${ms(v.med)} · p95 ${ms(v['p(95)'])} · p99 ${ms(v['p(99)'])} · max ${ms(v.max)}`;
  if (m.type === 'rate') return `${((v.rate ?? 0) * 100).toFixed(2)} % (${v.passes ?? 0} of ${(v.passes ?? 0) + (v.fails ?? 0)})`;
  if (m.type === 'counter' && v.rate !== undefined) return `${v.count ?? 0} (${v.rate.toFixed(1)}/s)`;
  return String(v.count ?? v.value ?? 0);
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function markdownReport(name: string, data: SummaryData): string {
  const rows: string[] = [];
  let failed = false;
  for (const metric of Object.keys(data.metrics).sort()) {
    const m = data.metrics[metric];
    if (m === undefined) continue;
    const th = Object.entries(m.thresholds ?? {});
    if (th.length === 0 && metric !== 'http_reqs' && metric !== 'iterations') continue;
    if (th.some(([, t]) => !t.ok)) failed = true;
    const marks = th.map(([expr, t]) => `${t.ok ? '✓' : '✗'} \`${expr}\``).join(' ');
    rows.push(`| \`${escape(metric)}\` | ${escape(metricValue(m))} | ${escape(marks) || '–'} |`);
  }
  const seconds = ((data.state?.testRunDurationMs ?? 0) / 1000).toFixed(1);
  return [
    `### k6 \`${name}\`: ${failed ? 'some thresholds FAILED' : 'all thresholds passed'} (${seconds} s)`,
    '',
    '| metric | value | thresholds |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
