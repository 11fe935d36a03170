import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { expectError, get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { answer, startScriptedUpstream, type Exchange, type ScriptedUpstream } from './helpers/scripted-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * The limits on next-upstream retries (README "How a request flows"), through the real
 * balancer against scripted upstreams: `tries`, the `nextUpstream.timeoutMs` budget and the
 * headers timeout it cuts, the retry budget under overload, and no retry of a streamed body.
 */
const f = useFixtures();

async function upstreams(n: number): Promise<ScriptedUpstream[]> {
  const ups = await Promise.all(Array.from({ length: n }, (_, i) => startScriptedUpstream(`s${i + 1}`)));
  f.cleanups.push(() => Promise.all(ups.map((u) => u.close())).then(() => undefined));
  return ups;
}

async function balance(ups: ScriptedUpstream[], group: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<number> {
  // max_fails=0: passive health stays out of the way, so every attempt is the retry walk's.
  const servers = ups.map((u) => `${u.address} max_fails=0`);
  f.balancer = await startTestBalancer({ upstreams: { default: { servers, ...group } }, routes: [{ prefix: '/', upstream: 'default' }], ...extra });
  return f.balancer.port;
}

const hits = (ups: ScriptedUpstream[]): number[] => ups.map((u) => u.exchanges.length);
const total = (ups: ScriptedUpstream[]): number => hits(ups).reduce((a, b) => a + b, 0);

async function metric(name: string, labels: string): Promise<number> {
  const text = (await get(f.balancer?.adminPort ?? 0, '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('nextUpstream.tries', () => {
  it('stops after `tries` attempts although more peers remain, and relays the last answer', async () => {
    const ups = await upstreams(3);
    for (const u of ups) u.onRequest = (ex) => void answer(u, ex, 503);
    const port = await balance(ups, { nextUpstream: { tries: 2 } });
    const r = await get(port, '/');
    expect(r.status).toBe(503);
    expect(total(ups)).toBe(2);
    // tries: 0 means every peer (NGINX proxy_next_upstream_tries 0).
    await f.balancer?.close(1000);
    const port0 = await balance(ups, { nextUpstream: { tries: 0 } });
    const before = total(ups);
    expect((await get(port0, '/')).status).toBe(503);
    expect(total(ups) - before).toBe(3);
  });
});

describe('nextUpstream.timeoutMs', () => {
  it('cuts the last attempt\'s headers timeout to what is left of the budget, then stops retrying', async () => {
    // Six peers hold every request. The 1.9 s budget allows the first attempt (headersMs 1 s),
    // then a second one cut to the ~0.9 s left, then no more: without the budget all six
    // peers would be tried. Node's timers run on the event loop's cached millisecond clock, so
    // the cut timer may fire a hair before the budget as performance.now() measures it; what
    // is left then is under the walk's MIN_ATTEMPT_MS and counts as spent (it used to buy a
    // third attempt with a 1 ms headers timeout). Load can only shorten the second attempt.
    const ups = await upstreams(6);
    const held: Exchange[] = [];
    for (const u of ups) u.onRequest = (ex) => held.push(ex);
    f.cleanups.push(() => held.forEach((ex) => ex.res.destroy()));
    const port = await balance(ups, { timeouts: { headersMs: 1000 }, nextUpstream: { tries: 0, timeoutMs: 1900 } });
    const r = await get(port, '/');
    expectError(r, 504, 'UPSTREAM_TIMEOUT');
    expect(total(ups)).toBe(2);
  });

  it('with a budget shorter than the headers timeout, one attempt ends at the budget, not at headersMs', async () => {
    const ups = await upstreams(2);
    const held: Exchange[] = [];
    for (const u of ups) u.onRequest = (ex) => held.push(ex);
    f.cleanups.push(() => held.forEach((ex) => ex.res.destroy()));
    const port = await balance(ups, { timeouts: { headersMs: 600_000 }, nextUpstream: { timeoutMs: 300 } });
    // Without the cut the attempt would wait 10 minutes: the bound here is only a deadline
    // for a hung test, 60× the budget.
    const r = await Promise.race([
      get(port, '/'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('headers timeout not cut to the budget')), 20_000).unref()),
    ]);
    expectError(r, 504, 'UPSTREAM_TIMEOUT');
    expect(total(ups)).toBe(1);
  });
});

describe('retry budget under overload', () => {
  it('retries at most max(minRetries, ratio × requests in flight) at once; the rest get the upstream answer', async () => {
    // 20 clients at once, every peer overloaded (holds, then 503). When the first answers come
    // back all 20 requests are in flight: the budget allows max(3, 0.2 × 20) = 4 retries.
    const clients = 20;
    const ups = await upstreams(2);
    const held: Exchange[] = [];
    for (const u of ups) u.onRequest = (ex) => held.push(ex);
    f.cleanups.push(() => held.forEach((ex) => ex.res.destroy()));
    const port = await balance(ups, {}, { retryBudget: { ratio: 0.2, minRetries: 3 } });
    const replies = Array.from({ length: clients }, () => get(port, '/'));
    for (const reply of replies) reply.catch(() => undefined); // awaited below; no unhandled noise if the test fails first
    await waitFor(() => held.length === clients, { what: 'every first attempt at an upstream' });
    const first = held.splice(0);
    const upOf = (ex: Exchange): ScriptedUpstream => ups.find((u) => u.exchanges.includes(ex)) as ScriptedUpstream;
    await Promise.all(first.map((ex) => answer(upOf(ex), ex, 503)));
    // Every first answer is either retried (and held again by the other peer) or refused by the budget.
    const retried = await waitFor(
      async () => {
        const r = await metric('fleet_balancer_retries_total', 'group="default",reason="http_503"');
        const refused = await metric('fleet_balancer_retries_total', 'group="default",reason="budget_exhausted"');
        return r + refused === clients && held.length === r ? r : undefined;
      },
      { what: 'every 503 retried or refused by the budget' },
    );
    expect(retried).toBeGreaterThanOrEqual(1);
    expect(retried).toBeLessThanOrEqual(4);
    for (const ex of held.splice(0)) await answer(upOf(ex), ex, 200);
    const statuses = (await Promise.all(replies)).map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(retried).fill(200), ...Array(clients - retried).fill(503)]);
    expect(total(ups)).toBe(clients + retried);
  });
});

describe('streamed request bodies', () => {
  it('are never retried: the bytes already went to the first peer', async () => {
    const ups = await upstreams(2);
    for (const u of ups) u.onRequest = (ex) => void answer(u, ex, 503);
    const port = await balance(ups, {}, { requestBuffering: false });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/upload', method: 'PUT', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write('first part ');
      req.end('last part');
    });
    expect(status).toBe(503);
    expect(total(ups)).toBe(1);
    const ex = ups.flatMap((u) => u.exchanges)[0];
    expect((await ex?.body)?.toString()).toBe('first part last part');
    // The same request with a buffered body is retried on the other peer.
    await f.balancer?.close(1000);
    const buffered = await balance(ups, {});
    expect((await get(buffered, '/upload', { method: 'PUT', body: 'x' })).status).toBe(503);
    expect(total(ups)).toBe(3);
  });
});
