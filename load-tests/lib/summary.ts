// handleSummary: the full k6 summary as JSON in RESULTS_DIR/<name>.json, a markdown table in
// RESULTS_DIR/<name>.md, and a short text report on stdout.
import { RESULTS_DIR } from './config.ts';
import { markdownReport, type MetricSummary, type SummaryData } from './markdown.ts';

export type { SummaryData } from './markdown.ts';

function fmt(value: number | undefined, unit: string): string {
  return value === undefined ? '-' : `${value.toFixed(unit === 'ms' ? 1 : 3)}${unit}`;
}

function metricLine(name: string, m: MetricSummary): string {
  const v = m.values;
  if (m.type === 'trend') {
    return `${name}: avg=${fmt(v.avg, 'ms')} p(90)=${fmt(v['p(90)'], 'ms')} p(95)=${fmt(v['p(95)'], 'ms')} p(99)=${fmt(v['p(99)'], 'ms')} max=${fmt(v.max, 'ms')}`;
  }
  if (m.type === 'rate') return `${name}: ${((v.rate ?? 0) * 100).toFixed(2)}% (${v.passes ?? 0} of ${(v.passes ?? 0) + (v.fails ?? 0)})`;
  return `${name}: ${v.count ?? v.value ?? 0}`;
}

export function textReport(name: string, data: SummaryData): string {
  const lines = [`== ${name} ==`];
  const names = Object.keys(data.metrics).sort();
  for (const metric of names) {
    const m = data.metrics[metric];
    if (m === undefined) continue;
    const th = m.thresholds ?? {};
    const marks = Object.keys(th).map((expr) => `${th[expr]?.ok ? 'ok' : 'FAILED'}: ${expr}`);
    if (marks.length === 0 && !metric.startsWith('http_req_') && metric !== 'checks' && metric !== 'iterations') continue;
    lines.push(`  ${metricLine(metric, m)}${marks.length > 0 ? `   [${marks.join('; ')}]` : ''}`);
  }
  const failed = names.some((n) => Object.values(data.metrics[n]?.thresholds ?? {}).some((t) => !t.ok));
  lines.push(failed ? '  result: some thresholds FAILED' : '  result: all thresholds passed');
  return `${lines.join('\n')}\n`;
}

export function summaryHandler(name: string): (data: SummaryData) => Record<string, string> {
  return (data) => ({
    stdout: textReport(name, data),
    [`${RESULTS_DIR}/${name}.json`]: JSON.stringify(data, null, 2),
    [`${RESULTS_DIR}/${name}.md`]: markdownReport(name, data),
  });
}
