import { describe, expect, it } from 'vitest';
import { get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { lineSink } from './helpers/lines.js';
import { answer, startScriptedUpstream, type ScriptedUpstream } from './helpers/scripted-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * The access log lists every upstream attempt of a request (README "Access log"), and the
 * retries metric counts each retry by reason, asserted by value.
 */
const f = useFixtures();

describe('access log and retry metrics', () => {
  it('logs one line per request with each attempt (peer, status or error); counts the retry by reason', async () => {
    const failing = await startScriptedUpstream('failing');
    const healthy = await startScriptedUpstream('healthy');
    const ups: ScriptedUpstream[] = [failing, healthy];
    f.cleanups.push(() => Promise.all(ups.map((u) => u.close())).then(() => undefined));
    failing.onRequest = (ex) => void answer(failing, ex, 503);
    const sink = lineSink();
    // Smooth round robin over two equal peers picks the first one first: the failing peer.
    f.balancer = await startTestBalancer(
      { upstreams: { default: { servers: ups.map((u) => `${u.address} max_fails=0`) } }, accessLog: { enabled: true } },
      { accessLogDestination: sink.stream },
    );
    const r = await get(f.balancer.port, '/predict?x=1', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.json.server_id).toBe('healthy');
    const line = await waitFor(() => sink.lines.find((l) => l.path === '/predict?x=1'), { what: 'the access log line' });
    expect(line).toMatchObject({ type: 'access', method: 'POST', status: 200, route: '/predict', upstream: 'default', clientIp: '127.0.0.1' });
    const attempts = line.attempts as Record<string, unknown>[];
    expect(attempts.map((a) => [a.peer, a.status])).toEqual([
      [failing.address, 503],
      [healthy.address, 200],
    ]);
    for (const a of attempts) expect(typeof a.durationMs).toBe('number');

    const metrics = (await get(f.balancer.adminPort, '/metrics')).text;
    expect(metrics).toContain('fleet_balancer_retries_total{group="default",reason="http_503"} 1\n');
    expect(metrics).not.toContain('reason="budget_exhausted"} 1');
  });

  it('logs a failed connection attempt with its error and no status', async () => {
    const healthy = await startScriptedUpstream('healthy');
    f.cleanups.push(() => healthy.close());
    const dead = await startScriptedUpstream('dead');
    await dead.close();
    const sink = lineSink();
    f.balancer = await startTestBalancer(
      { upstreams: { default: { servers: [dead.address, healthy.address] } }, accessLog: { enabled: true } },
      { accessLogDestination: sink.stream },
    );
    expect((await get(f.balancer.port, '/x')).status).toBe(200);
    const line = await waitFor(() => sink.lines.find((l) => l.path === '/x'), { what: 'the access log line' });
    const [first, second] = line.attempts as Record<string, unknown>[];
    expect(first).toMatchObject({ peer: dead.address, error: expect.any(String) });
    expect(first?.status).toBeUndefined();
    expect(second).toMatchObject({ peer: healthy.address, status: 200 });
  });
});
