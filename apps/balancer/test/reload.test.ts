import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { get, serverIds, startTestBalancer, testConfig } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { startScriptedUpstream, type ScriptedUpstream } from './helpers/scripted-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * Reload (README "SIGHUP"): a changed strategy starts a fresh lb-core group; peer pools are
 * recreated only when keepalive or timeouts change; `listen`, `admin` and `https` need a
 * restart and a warning says so. Through `Balancer.reload`, the call SIGHUP makes.
 */
const f = useFixtures();

const config = testConfig;

/** A logger whose JSON lines the test can read. */
function capturedLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('reload: strategy', () => {
  it('a changed strategy takes effect at once (a fresh lb-core group)', async () => {
    f.backends = await Promise.all(['s1', 's2', 's3'].map((id) => startBackend(id)));
    const servers = f.backends.map((b) => b.address);
    f.balancer = await startTestBalancer({ upstreams: { default: { servers } } });
    const user = { 'x-user': 'user-42' };
    expect(new Set(await serverIds(f.balancer.port, 6, '/', user))).toEqual(new Set(['s1', 's2', 's3']));
    await f.balancer.reload(config({ upstreams: { default: { servers, strategy: 'hash', hashKey: '$http_x_user' } } }));
    const sticky = await serverIds(f.balancer.port, 6, '/', user);
    expect(new Set(sticky).size).toBe(1);
    await f.balancer.reload(config({ upstreams: { default: { servers } } }));
    expect(new Set(await serverIds(f.balancer.port, 6, '/', user))).toEqual(new Set(['s1', 's2', 's3']));
  });
});

describe('reload: peer pools', () => {
  async function ports(up: ScriptedUpstream, port: number, n: number): Promise<number[]> {
    for (let i = 0; i < n; i++) expect((await get(port, '/')).status).toBe(200);
    return up.exchanges.slice(-n).map((ex) => ex.remotePort);
  }

  it('keeps the pool (and its keep-alive connection) unless keepalive or timeouts change', async () => {
    const up = await startScriptedUpstream('s1');
    f.cleanups.push(() => up.close());
    const group = (extra: Record<string, unknown>) => ({ upstreams: { default: { servers: [`${up.address} weight=1`], keepalive: { idleTimeoutMs: 60_000 }, ...extra } } });
    f.balancer = await startTestBalancer(group({}));
    const port = f.balancer.port;
    const [first] = await ports(up, port, 3);
    expect(new Set(up.exchanges.map((ex) => ex.remotePort))).toEqual(new Set([first]));

    // A change that is neither keepalive nor timeouts: same pool, same connection.
    await f.balancer.reload(config(group({ nextUpstream: { tries: 2 } })));
    expect(await ports(up, port, 2)).toEqual([first, first]);
    expect(up.connections).toEqual({ opened: 1, closed: 0 });

    // keepalive changed: the old pool is closed (its connection too), a new one dials again.
    await f.balancer.reload(config(group({ keepalive: { idleTimeoutMs: 50_000 } })));
    await waitFor(() => up.connections.closed === 1, { what: 'the old pool\'s connection closed' });
    const [second] = await ports(up, port, 2);
    expect(second).not.toBe(first);

    // timeouts changed: the same again.
    await f.balancer.reload(config(group({ keepalive: { idleTimeoutMs: 50_000 }, timeouts: { connectMs: 2000 } })));
    await waitFor(() => up.connections.closed === 2, { what: 'the second pool\'s connection closed' });
    const [third] = await ports(up, port, 1);
    expect([first, second]).not.toContain(third);
    expect(up.connections.opened).toBe(3);
  });
});

describe('reload: listen, admin and https', () => {
  it('warn that they only change on restart and keep serving on the running listeners', async () => {
    f.backends = [await startBackend('s1')];
    const { logger, lines } = capturedLogger();
    const raw = { upstreams: { default: { servers: [f.backends[0]?.address] } } };
    f.balancer = await startTestBalancer(raw, { logger });
    const { port, adminPort } = f.balancer;
    await f.balancer.reload(config({ ...raw, listen: { host: '127.0.0.1', port: 22001 }, admin: { host: '127.0.0.1', port: 22002, token: 'test-token' } }));
    const warned = lines.filter((l) => l.level === 40 && /only changes on restart/.test(String(l.msg))).map((l) => l.setting);
    expect(warned.sort()).toEqual(['admin', 'listen']);
    expect(lines.some((l) => l.msg === 'config reloaded')).toBe(true);
    expect(f.balancer.port).toBe(port);
    expect((await get(port, '/')).status).toBe(200);
    expect((await get(adminPort, '/health')).status).toBe(200);
    await expect(get(22001, '/')).rejects.toThrow();
  });
});
