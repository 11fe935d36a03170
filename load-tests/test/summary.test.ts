// The k6 summary helpers that run inside k6, tested in Node: the markdown table every script
// writes, and the results folder that must exist on a fresh clone (k6 cannot create folders).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { markdownReport, type SummaryData } from '../lib/markdown.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

const data: SummaryData = {
  state: { testRunDurationMs: 1934 },
  metrics: {
    http_reqs: { type: 'counter', values: { count: 60, rate: 31.02 } },
    http_req_duration: {
      type: 'trend',
      values: { med: 21.4, 'p(95)': 111.6, 'p(99)': 184.3, max: 197.5 },
      thresholds: { 'p(95)<500': { ok: true }, 'p(99)<1000': { ok: true } },
    },
    http_req_failed: { type: 'rate', values: { rate: 0, passes: 0, fails: 60 }, thresholds: { 'rate==0': { ok: true } } },
    'replica_hits{server_id:server-1}': { type: 'counter', values: { count: 20, rate: 10.3 }, thresholds: { 'count>=19': { ok: true } } },
    http_req_blocked: { type: 'trend', values: { med: 0 } },
  },
};

describe('markdownReport', () => {
  it('tables the thresholded metrics, requests and iterations', () => {
    expect(markdownReport('rotation', data)).toBe(
      [
        '### k6 `rotation`: all thresholds passed (1.9 s)',
        '',
        '| metric | value | thresholds |',
        '| --- | --- | --- |',
        '| `http_req_duration` | p50 21.4 ms · p95 111.6 ms · p99 184.3 ms · max 197.5 ms | ✓ `p(95)<500` ✓ `p(99)<1000` |',
        '| `http_req_failed` | 0.00 % (0 of 60) | ✓ `rate==0` |',
        '| `http_reqs` | 60 (31.0/s) | – |',
        '| `replica_hits{server_id:server-1}` | 20 (10.3/s) | ✓ `count>=19` |',
        '',
      ].join('\n'),
    );
  });

  it('says so when a threshold failed', () => {
    const failed: SummaryData = { metrics: { checks: { type: 'rate', values: { rate: 0.5, passes: 1, fails: 1 }, thresholds: { 'rate==1': { ok: false } } } } };
    const md = markdownReport('failover', failed);
    expect(md).toContain('### k6 `failover`: some thresholds FAILED (0.0 s)');
    expect(md).toContain('| `checks` | 50.00 % (1 of 2) | ✗ `rate==1` |');
  });
});

describe('the results folder', () => {
  it('exists in a fresh clone (tracked .gitkeep), where k6 writes by default', () => {
    // lib/config.ts runs only inside k6 (__ENV): read its default from the source.
    const defaultDir = /__ENV\.RESULTS_DIR \|\| '([^']+)'/.exec(readFileSync(`${root}load-tests/lib/config.ts`, 'utf8'))?.[1];
    expect(defaultDir).toBe('load-tests/results');
    const tracked = execFileSync('git', ['ls-files', `${defaultDir}/.gitkeep`], { cwd: root, encoding: 'utf8' }).trim();
    expect(tracked).toBe(`${defaultDir}/.gitkeep`);
    expect(existsSync(`${root}${defaultDir}`)).toBe(true);
  });
});
