import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startBackend, type Backend } from './helpers/backend.js';
import { get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { waitFor } from './helpers/wait.js';

/**
 * Issue 8, finding 4: a dead peer must not cost client requests, and a hung one costs at most a
 * per-try timeout derived from the group's observed latency (hedging), never a failure.
 */
const f = useFixtures();
const json = { 'content-type': 'application/json' };

/** An upstream that holds every request until it "crashes": every socket reset, listener gone. */
async function doomedUpstream(): Promise<{ address: string; held: () => number; crash: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let held = 0;
  const server = http.createServer((req) => {
    held += 1;
    req.resume();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const crash = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.resetAndDestroy(); // what the kernel does for a kill -9ed process
    await closed;
  };
  f.cleanups.push(() => (server.listening ? crash() : undefined));
  return { address, held: () => held, crash };
}

/** `workers` clients, each sending `perWorker` POST /predict in a row; `during` runs once, midway. */
async function load(port: number, workers: number, perWorker: number, during: (started: number) => Promise<void> | undefined): Promise<string[]> {
  const statuses: string[] = [];
  let started = 0;
  const pending: Promise<void>[] = [];
  const worker = async (): Promise<void> => {
    for (let i = 0; i < perWorker; i++) {
      started += 1;
      const hook = during(started);
      if (hook !== undefined) pending.push(hook);
      // A client-side bound so a hung request fails the test instead of stalling it.
      const res = await request(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: '{"text":"x"}', headers: json, headersTimeout: 15_000 });
      const text = await res.body.text();
      statuses.push(res.statusCode === 200 ? 'ok' : `${res.statusCode} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  await Promise.all(pending);
  return statuses;
}

describe('a dead peer', () => {
  it('requests in flight on a crashed replica all move to the others, past the retry budget', async () => {
    f.backends = [await startBackend('a'), await startBackend('b')];
    for (const b of f.backends) b.delayMs = 5;
    const victim = await doomedUpstream();
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [...f.backends.map((b) => b.address), victim.address] } },
      retryBudget: { ratio: 0.2, minRetries: 3 },
    });
    const port = f.balancer.port;
    let crashed: Promise<void> | undefined;
    // 16 clients; the victim answers nothing, so its share piles up until it crashes with them.
    const statuses = await load(port, 16, 6, () => {
      if (crashed !== undefined || victim.held() < 8) return undefined;
      crashed = victim.crash();
      return crashed;
    });
    if (crashed === undefined) {
      await waitFor(() => victim.held() >= 8, { what: 'eight requests held by the victim' });
      await victim.crash();
    }
    expect(victim.held()).toBeGreaterThanOrEqual(8); // more than the budget's floor of 3…
    expect(statuses.filter((s) => s !== 'ok')).toEqual([]); // …and still not one failed request
  });
});

describe('a hung peer (SIGSTOP-like: connects, never answers)', () => {
  it.each([
    ['hedge', true],
    ['abandon and retry', false],
  ])('%s on the per-try timeout: no request fails and the hung peer is taken out', async (_mode, hedge) => {
    f.backends = await Promise.all(['a', 'b', 'hung'].map((id) => startBackend(id)));
    const hung = f.backends[2] as Backend;
    f.balancer = await startTestBalancer({
      upstreams: {
        default: {
          servers: f.backends.map((b) => b.address),
          timeouts: { headersMs: 30_000 },
          perTry: { minSamples: 6, minMs: 100, factor: 3, hedge },
        },
      },
    });
    const port = f.balancer.port;
    // Warm-up: the group learns its latency (every peer is fast).
    expect(await load(port, 1, 12, () => undefined)).toEqual(Array(12).fill('ok'));
    hung.delayMs = 600_000;
    const hitsBefore = hung.hits;
    const statuses = await load(port, 12, 3, () => undefined);
    expect(statuses.filter((s) => s !== 'ok')).toEqual([]);
    expect(hung.hits).toBeGreaterThan(hitsBefore); // it did get requests, and they were rescued
    const metrics = (await get(f.balancer.adminPort, '/metrics')).text;
    expect(metrics).toMatch(new RegExp(`fleet_balancer_per_try_timeouts_total\\{group="default",peer="${hung.address}"\\} [1-9]`));
    if (hedge) expect(metrics).toMatch(/fleet_balancer_hedges_total\{group="default"\} [1-9]/);
    const peer = f.balancer.upstreams.get('default')?.group.snapshot(0).peers.find((p) => p.id === hung.address);
    expect(peer?.totalFails).toBeGreaterThan(0);
  });

  it('never applies per-try timeouts to routes without perTryTimeout or to non-retryable requests', async () => {
    f.backends = await Promise.all(['a', 'slow'].map((id) => startBackend(id)));
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: f.backends.map((b) => b.address), perTry: { minSamples: 2, minMs: 50 } } },
      routes: [{ prefix: '/', upstream: 'default', perTryTimeout: false }],
    });
    for (let i = 0; i < 6; i++) expect((await get(f.balancer.port, '/')).status).toBe(200);
    (f.backends[1] as Backend).delayMs = 400;
    for (let i = 0; i < 4; i++) expect((await get(f.balancer.port, '/')).status).toBe(200);
    expect((await get(f.balancer.adminPort, '/metrics')).text).not.toMatch(/fleet_balancer_per_try_timeouts_total\{/);
  });
});
