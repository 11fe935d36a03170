/**
 * A real wrk run against a loopback upstream. Not installed: skipped visibly, a failure under
 * CI=true unless FLEET_SKIP names wrk.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { freePortsInRange, runWrk, wrkBinary } from '../src/index.js';
import { skipWithout, upstream, type Upstream } from './fixtures.js';

const bin = wrkBinary();
const opened: Upstream[] = [];

afterAll(async () => {
  await Promise.all(opened.map((u) => u.close()));
});

const skip = skipWithout('wrk', bin !== undefined, "the bench kit's wrk run test");

describe.skipIf(skip !== undefined)(`wrk run${skip === undefined ? '' : ` (${skip})`}`, () => {
  it('counts requests, 5xx answers as non-2xx, and its own CPU time', async () => {
    const [port] = await freePortsInRange(1, 24960, 24979);
    const up = await upstream('x', port ?? 0, (n) => (n % 4 === 0 ? 503 : 200));
    opened.push(up);
    const r = await runWrk({
      bin: bin ?? 'wrk',
      url: `http://127.0.0.1:${up.port}`,
      requests: [{ method: 'POST', path: '/p', headers: { 'content-type': 'application/json' }, body: '{"text":"é"}' }],
      connections: 2,
      durationS: 1,
    });
    expect(r.requests).toBeGreaterThan(0);
    expect(r.non2xx).toBeGreaterThan(0);
    expect(r.non2xx).toBeLessThan(r.requests);
    expect(r.loadGeneratorCpuS).toBeGreaterThan(0);
  });

  it('fails with BENCH_WRK_FAILED when it cannot connect at the start', async () => {
    const [port] = await freePortsInRange(1, 24980, 24999);
    const run = runWrk({ bin: bin ?? 'wrk', url: `http://127.0.0.1:${port}`, requests: [{ method: 'GET', path: '/' }], connections: 1, durationS: 1 });
    await expect(run).rejects.toMatchObject({ code: 'BENCH_WRK_FAILED' });
  });
});
