/** The bench's tables and issue 9's judgements, on samples given by hand. */
import { describe, expect, it } from 'vitest';
import { sample } from './fixtures.js';
import { cpuMet, judge, p99Met, PEAK_RSS_LIMIT_MB, roundLine, rssMet, runHeader, summarize, table, verdicts, type Row } from './report.js';
import type { Sample } from './samples.js';
import { SCENARIOS } from './scenarios.js';
import { TARGETS, type Target } from './targets.js';

const target = (name: string): Target => TARGETS.find((t) => t.name === name) as Target;
const [direct, nginx, fleet] = [target('direct'), target('nginx'), target('fleet')];
const row = (rows: readonly Row[], name: string, mode = 'pinned'): Row => rows.find((r) => r.target.name === name && r.mode === mode) as Row;

/** Interleaved rounds: direct, nginx, fleet, direct, … with the figures of each round. */
function rounds(per: Record<string, Partial<Sample>[]>): Sample[] {
  const n = Math.max(...Object.values(per).map((r) => r.length));
  return Array.from({ length: n }, (_, i) => Object.entries(per).flatMap(([t, rs]) => (rs[i] === undefined ? [] : [sample({ target: t, ...rs[i] })]))).flat();
}

describe('summarize: medians over interleaved rounds', () => {
  it('takes the middle round of an odd count and the mean of the middle two of an even count', () => {
    const odd = summarize([direct, nginx, fleet], ['pinned'], rounds({ direct: [{ p99Ms: 3 }], nginx: [{ cpuUs: 30 }, { cpuUs: 50 }, { cpuUs: 40 }], fleet: [{ cpuUs: 100, rps: 9 }, { cpuUs: 70, rps: 5 }, { cpuUs: 90, rps: 7 }] }), new Map());
    expect([row(odd, 'nginx').cpuUs, row(odd, 'fleet').cpuUs, row(odd, 'fleet').rps]).toEqual([40, 90, 7]);
    const even = summarize([direct, nginx, fleet], ['pinned'], rounds({ nginx: [{ cpuUs: 30 }, { cpuUs: 50 }, { cpuUs: 40 }, { cpuUs: 20 }], fleet: [{ p50Ms: 4 }, { p50Ms: 1 }] }), new Map());
    expect([row(even, 'nginx').cpuUs, row(even, 'fleet').p50Ms]).toEqual([35, 2.5]);
  });

  it('keeps modes apart and reports each target per mode, in the order of the modes then the targets', () => {
    const samples = [sample({ target: 'fleet', mode: 'pinned', cpuUs: 10 }), sample({ target: 'fleet', mode: 'unpinned', cpuUs: 99 })];
    const rows = summarize([fleet], ['unpinned', 'pinned'], samples, new Map());
    expect(rows.map((r) => [r.mode, r.cpuUs])).toEqual([['unpinned', 99], ['pinned', 10]]);
  });

  it('skips a round that completed nothing (NaN CPU) instead of letting it poison the median', () => {
    const rows = summarize([fleet], ['pinned'], rounds({ fleet: [{ cpuUs: 10 }, { cpuUs: NaN }, { cpuUs: 20 }] }), new Map());
    expect(row(rows, 'fleet').cpuUs).toBe(15);
  });

  it('reports direct with 0 CPU and no ratio, and peak RSS only where it was read', () => {
    const rows = summarize([direct, fleet], ['pinned'], rounds({ direct: [{ cpuUs: 5 }], fleet: [{}] }), new Map([['fleet', 64]]));
    expect(row(rows, 'direct')).toMatchObject({ cpuUs: 0, xNginx: NaN, peakRssMb: undefined });
    expect(row(rows, 'fleet').peakRssMb).toBe(64);
  });
});

describe('summarize: ratios and p99 added', () => {
  it('divides CPU per request by NGINX’s of the same mode; NGINX itself is 1×', () => {
    const rows = summarize([direct, nginx, fleet], ['pinned', 'unpinned'], [
      ...rounds({ nginx: [{ cpuUs: 40 }], fleet: [{ cpuUs: 100 }] }),
      ...rounds({ nginx: [{ mode: 'unpinned', cpuUs: 20 }], fleet: [{ mode: 'unpinned', cpuUs: 100 }] }),
    ], new Map());
    expect([row(rows, 'nginx').xNginx, row(rows, 'fleet').xNginx, row(rows, 'fleet', 'unpinned').xNginx]).toEqual([1, 2.5, 5]);
  });

  it('has no ratio (NaN, shown as —, judged "no data") when NGINX’s CPU is 0 or NGINX did not run', () => {
    const zero = summarize([direct, nginx, fleet], ['pinned'], rounds({ nginx: [{ cpuUs: 0 }], fleet: [{ cpuUs: 100 }] }), new Map());
    expect(row(zero, 'fleet').xNginx).toBeNaN();
    expect(row(zero, 'nginx').xNginx).toBeNaN();
    const missing = summarize([direct, fleet], ['pinned'], rounds({ fleet: [{ cpuUs: 100 }] }), new Map());
    expect(row(missing, 'fleet').xNginx).toBeNaN();
    expect(judge(missing, 2)[0]).toMatchObject({ cpu: undefined, p99: undefined, nginx: undefined });
  });

  it('subtracts direct’s median p99 of the same mode from each target’s', () => {
    const rows = summarize([direct, nginx, fleet], ['pinned'], rounds({ direct: [{ p99Ms: 2 }, { p99Ms: 4 }], nginx: [{ p99Ms: 5 }, { p99Ms: 3.5 }], fleet: [{ p99Ms: 20 }, { p99Ms: 11 }] }), new Map());
    expect([row(rows, 'direct').p99AddedMs, row(rows, 'nginx').p99AddedMs, row(rows, 'fleet').p99AddedMs]).toEqual([0, 1.25, 12.5]);
  });

  it('has no p99 added without direct', () => {
    const rows = summarize([nginx, fleet], ['pinned'], rounds({ nginx: [{}], fleet: [{}] }), new Map());
    expect(row(rows, 'fleet').p99AddedMs).toBeNaN();
    expect(judge(rows, 2)[0]?.p99).toBeUndefined();
  });
});

describe("issue 9's targets", () => {
  it('CPU: met at exactly the bound of each scenario, not met just past it', () => {
    expect([SCENARIOS.trivial.cpuTarget, SCENARIOS.predict.cpuTarget]).toEqual([2, 2.2]);
    for (const bound of [SCENARIOS.trivial.cpuTarget, SCENARIOS.predict.cpuTarget]) {
      expect(cpuMet(bound, bound)).toBe(true);
      expect(cpuMet(bound + 1e-9, bound)).toBe(false);
      expect(cpuMet(NaN, bound)).toBeUndefined();
    }
    expect(cpuMet(22 / 10, SCENARIOS.predict.cpuTarget)).toBe(true);
  });

  it("p99 added: met at exactly NGINX's + 1 ms, not met just past it", () => {
    expect(p99Met(2.5, 1.5)).toBe(true);
    expect(p99Met(2.5 + 1e-9, 1.5)).toBe(false);
    expect(p99Met(-3, 1.5)).toBe(true);
    expect(p99Met(2, undefined)).toBeUndefined();
    expect(p99Met(2, NaN)).toBeUndefined();
    expect(p99Met(NaN, 1)).toBeUndefined();
  });

  it('peak RSS: under 80 MB is met, 80 MB itself is not (the issue says "< 80 MB")', () => {
    expect(PEAK_RSS_LIMIT_MB).toBe(80);
    expect(rssMet(79.9)).toBe(true);
    expect(rssMet(80)).toBe(false);
    expect(rssMet(undefined)).toBeUndefined();
  });

  it('judges every fleet target in every mode against the NGINX row of its mode', () => {
    const rows = summarize([direct, nginx, fleet, target('fleet-undici')], ['pinned', 'unpinned'], [
      ...rounds({ direct: [{ p99Ms: 1 }], nginx: [{ cpuUs: 10, p99Ms: 2 }], fleet: [{ cpuUs: 20, p99Ms: 3 }], 'fleet-undici': [{ cpuUs: 21, p99Ms: 3.5 }] }),
      ...rounds({ direct: [{ mode: 'unpinned', p99Ms: 1 }], nginx: [{ mode: 'unpinned', cpuUs: 10, p99Ms: 4 }], fleet: [{ mode: 'unpinned', cpuUs: 20, p99Ms: 5 }] }),
    ], new Map([['fleet', 79], ['fleet-undici', 80]]));
    expect(judge(rows, 2).map((v) => [v.row.target.name, v.row.mode, v.nginx?.mode, v.cpu, v.p99, v.rss])).toEqual([
      ['fleet', 'pinned', 'pinned', true, true, true],
      ['fleet-undici', 'pinned', 'pinned', false, false, false],
      ['fleet', 'unpinned', 'unpinned', true, true, true],
      ['fleet-undici', 'unpinned', 'unpinned', undefined, undefined, false],
    ]);
  });
});

describe('what the bench prints', () => {
  const rows = summarize([direct, nginx, fleet], ['pinned'], rounds({ direct: [{ rps: 25_404, p50Ms: 1.21, p99Ms: 3.16 }], nginx: [{ cpuUs: 35.4, rps: 19_478, p50Ms: 1.44, p99Ms: 4.51 }], fleet: [{ cpuUs: 90.6, rps: 9476, p50Ms: 2.86, p99Ms: 17.3 }] }), new Map([['nginx', 13], ['fleet', 100]]));

  it('renders the README table', () => {
    expect(table(rows)).toBe(
      [
        '| target | mode | CPU µs/req | × NGINX | req/s | p50 ms | p99 ms | p99 added ms | peak RSS MB |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| direct (no proxy) | pinned | 0.0 | — | 25,404 | 1.21 | 3.16 | — | — |',
        '| NGINX, 1 worker | pinned | 35.4 | 1.00 | 19,478 | 1.44 | 4.51 | 1.35 | 13 |',
        '| fleet, engine (default) | pinned | 90.6 | 2.56 | 9,476 | 2.86 | 17.30 | 14.14 | 100 |',
      ].join('\n'),
    );
  });

  it('prints one verdict line per fleet target and mode', () => {
    expect(verdicts(rows, 2)).toEqual(["fleet pinned: CPU 2.56× NGINX (≤ 2×) not met; p99 added 14.14 ms (≤ NGINX's 1.35 + 1) not met; peak RSS 100 MB (< 80) not met"]);
    const none = summarize([fleet], ['pinned'], rounds({ fleet: [{}] }), new Map());
    expect(verdicts(none, 2.2)).toEqual(["fleet pinned: CPU —× NGINX (≤ 2.2×) no data; p99 added — ms (≤ NGINX's — + 1) no data; peak RSS — MB (< 80) no data"]);
  });

  it('heads the run with the machine, the tools and the settings', () => {
    const info = { at: new Date('2026-12-01T01:00:00Z'), cpuModel: 'AMD EPYC', cpuCount: 2, loadAverage: [1, 0.5, 0.25], node: '20.20.2', nginx: 'nginx/1.22.1', wrk: 'wrk 4.1.0' };
    expect(runHeader(info, { connections: 32, rounds: 3, durationS: 4, warmupS: 10 })).toEqual([
      '2026-12-01T01:00:00.000Z, AMD EPYC ×2, load average 1.00 0.50 0.25, Node 20.20.2, nginx/1.22.1, wrk 4.1.0',
      'wrk -t1 -c32; 3 interleaved round(s) × 4 s per target and mode after 10 s of warm-up (fleet); medians; pinned = proxy on CPU 0, wrk + backends on CPU 1',
    ]);
    expect(runHeader({ ...info, nginx: undefined }, { connections: 1, rounds: 1, durationS: 1, warmupS: 1 })[0]).toContain(', no NGINX, ');
  });
});

describe('roundLine', () => {
  it('names the round (from 1), mode and target with its CPU, req/s and p99', () => {
    expect(roundLine(0, sample({ target: 'fleet', mode: 'pinned', cpuUs: 86.44, rps: 10783.2, p99Ms: 13.014 }))).toBe('round 1, pinned, fleet: 86.4 µs/req, 10,783 req/s, p99 13.01 ms');
  });
});
