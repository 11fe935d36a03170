import { describe, expect, it } from 'vitest';
import { combineWrk, luaString, parseWrkOutput, socketErrorTotal, wrkScript, WRK_RESULT_MARK } from './wrk-script.js';

describe('luaString', () => {
  it('keeps printable ASCII and escapes quotes, backslashes and every other byte as \\ddd', () => {
    expect(luaString('a"b\\c')).toBe('"a\\034b\\092c"');
    expect(luaString('é\n')).toBe('"\\195\\169\\010"');
  });
});

describe('wrkScript', () => {
  it('formats every request once and rotates through them', () => {
    const script = wrkScript([
      { method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' },
      { method: 'GET', path: '/health' },
    ]);
    expect(script).toContain('wrk.format("POST", "/predict", {["content-type"] = "application/json"}, "{\\034text\\034:\\034x\\034}")');
    expect(script).toContain('wrk.format("GET", "/health", {}, nil)');
    expect(script).toContain('i = (i % #reqs) + 1');
  });

  it('refuses an empty request list', () => {
    expect(() => wrkScript([])).toThrow(RangeError);
  });
});

describe('parseWrkOutput', () => {
  it('reads the result line among wrk\'s own report', () => {
    const raw = { requests: 5000, durationUs: 2_000_000, bytes: 1, connect: 1, read: 2, write: 0, status: 3, timeout: 4, p50Us: 1500, p90Us: 3000, p99Us: 9000, maxUs: 20000, meanUs: 1.5 };
    const out = `Running 2s test\n${WRK_RESULT_MARK}${JSON.stringify(raw)}\nRequests/sec: 2500\n`;
    const r = parseWrkOutput(out);
    expect(r).toMatchObject({ requests: 5000, durationS: 2, rps: 2500, p50Ms: 1.5, p99Ms: 9, non2xx: 3 });
    expect(r && socketErrorTotal(r)).toBe(7);
  });

  it('is undefined without a result line', () => {
    expect(parseWrkOutput('unable to connect')).toBeUndefined();
  });
});

describe('combineWrk', () => {
  const run = (requests: number, p99Ms: number, non2xx: number, read: number) => ({
    requests, durationS: 2, rps: requests / 2, p50Ms: p99Ms / 4, p90Ms: p99Ms / 2, p99Ms, maxMs: p99Ms * 2, non2xx,
    socketErrors: { connect: 0, read, write: 0, timeout: 1 },
  });

  it('sums counts and rates and takes the largest percentile', () => {
    const r = combineWrk([run(1000, 8, 1, 0), run(3000, 4, 2, 5)]);
    expect(r).toMatchObject({ requests: 4000, rps: 2000, durationS: 2, p50Ms: 2, p99Ms: 8, maxMs: 16, non2xx: 3 });
    expect(socketErrorTotal(r)).toBe(7);
  });

  it('refuses no runs', () => {
    expect(() => combineWrk([])).toThrow(RangeError);
  });
});
