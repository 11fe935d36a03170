import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createAssets } from '../src/admin/assets.js';
import type { Frame, History } from '../src/admin/frame.js';
import { startBackend, type Backend } from './helpers/backend.js';
import { get, serverIds, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { openSse } from './helpers/sse.js';
import { waitFor } from './helpers/wait.js';

/** The admin dashboard over HTTP: page and bundle, the event stream, bad input. */
const f = useFixtures();

async function twoPeers(): Promise<[Backend, Backend]> {
  f.backends = [await startBackend('s1'), await startBackend('s2')];
  f.balancer = await startTestBalancer({ upstreams: { default: { servers: f.backends.map((b) => b.address) } } });
  return f.backends as [Backend, Backend];
}

describe('admin dashboard', () => {
  it('serves the page and its bundle from the admin listener, same-origin only, with ETags', async () => {
    await twoPeers();
    const admin = f.balancer?.adminPort ?? 0;
    const page = await get(admin, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).toContain('<script type="module" src="/dashboard/app.js"></script>');
    const js = await get(admin, '/dashboard/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.text).not.toMatch(/https?:\/\/(?!www\.w3\.org|127\.0\.0\.1)[a-z]/); // nothing loaded from elsewhere
    expect((await get(admin, '/dashboard/app.css')).status).toBe(200);
    const again = await get(admin, '/dashboard/app.js', { headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.status).toBe(304);
  });

  it('keeps unknown paths and methods 404 JSON, and the actions 401 without the token', async () => {
    const [a] = await twoPeers();
    const admin = f.balancer?.adminPort ?? 0;
    for (const [method, path] of [['GET', '/dashboard/nope'], ['GET', '/index.html'], ['POST', '/'], ['DELETE', '/dashboard/events']]) {
      const r = await get(admin, path ?? '', { method });
      expect([r.status, r.json.code], `${method} ${path}`).toEqual([404, 'NOT_FOUND']);
      expect(r.text).not.toContain('at ');
    }
    const r = await get(admin, `/admin/peers/default/${a.address}/drain`, { method: 'POST', headers: { authorization: 'Bearer wrong' } });
    expect([r.status, r.json.code]).toEqual([401, 'UNAUTHORIZED']);
  });

  it('streams a history and then one frame per second with the peers, their traffic and the latest picks', async () => {
    const [a, b] = await twoPeers();
    const balancer = f.balancer;
    if (balancer === undefined) throw new Error('no balancer');
    const sse = await openSse(balancer.adminPort, '/dashboard/events');
    f.cleanups.push(() => sse.close());
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const history = (await sse.next('history')).data as History;
    expect(history.seconds).toBe(300);
    await sse.next('frame');
    expect(await serverIds(balancer.port, 6)).toHaveLength(6);
    let frame = (await sse.next('frame')).data as Frame;
    // Server ids are asked for once a page watches: wait for the traffic and for their answers.
    const settled = (fr: Frame): boolean => fr.stub.requests >= 6 && (fr.groups[0]?.peers ?? []).every((p) => p.serverId !== null);
    for (let i = 0; i < 5 && !settled(frame); i++) frame = (await sse.next('frame')).data as Frame;
    const peers = frame.groups[0]?.peers ?? [];
    expect(peers.map((p) => [p.id, p.state, p.requests, p.serverId])).toEqual([
      [a.address, 'up', 3, 's1'],
      [b.address, 'up', 3, 's2'],
    ]);
    expect(peers.every((p) => p.errorRate === 0 && p.p50Ms !== null && p.p99Ms !== null)).toBe(true);
    expect(frame.picks.map((p) => p.serverId)).toEqual(['s1', 's2', 's1', 's2', 's1', 's2']);
    expect(frame.actions).toBe(true);
  });

  it('refuses watchers past the limit and frees their slots when they leave', async () => {
    await twoPeers();
    const balancer = f.balancer;
    if (balancer === undefined) throw new Error('no balancer');
    const watchers = await Promise.all(Array.from({ length: 16 }, () => openSse(balancer.adminPort, '/dashboard/events')));
    const over = await get(balancer.adminPort, '/dashboard/events');
    expect([over.status, over.json.code, over.headers['retry-after']]).toEqual([503, 'TOO_MANY_WATCHERS', '5']);
    for (const w of watchers) w.close();
    const next = await waitFor(async () => {
      const sse = await openSse(balancer.adminPort, '/dashboard/events');
      if (sse.status === 200) return sse;
      sse.close();
      return undefined;
    }, { what: 'a free watcher slot' });
    next.close();
  });

  it('answers 503 DASHBOARD_NOT_BUILT (no stack trace) when the bundle is missing', async () => {
    const serve = createAssets(mkdtempSync(join(tmpdir(), 'fleet-no-dashboard-')));
    const server = http.createServer((req, res) => {
      try {
        serve(req, res, '/');
      } catch (err) {
        res.writeHead(503).end(JSON.stringify({ code: (err as { code?: string }).code, message: (err as Error).message }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    f.cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const r = await get((server.address() as { port: number }).port, '/');
    expect(r.json).toEqual({ code: 'DASHBOARD_NOT_BUILT', message: 'the dashboard is not built: run pnpm --filter @fleet/balancer build' });
  });
});
