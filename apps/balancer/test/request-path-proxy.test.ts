import { describe, expect, it } from 'vitest';
import { get, startTestBalancer, testConfig } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { lineSink } from './helpers/lines.js';
import { answer, startScriptedUpstream, type ScriptedUpstream } from './helpers/scripted-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * proxy.ts through the real server, on both listeners and both upstream clients: a peer that
 * left the group between the pick and the attempt (a reload) is sent nothing and answered as
 * a connect failure.
 */
const f = useFixtures();

const LISTENERS = ['node', 'engine'] as const;
const CLIENTS = ['engine', 'undici'] as const;

function scripted(...ids: string[]): Promise<ScriptedUpstream[]> {
  return Promise.all(ids.map(async (id) => {
    const up = await startScriptedUpstream(id);
    f.cleanups.push(() => up.close());
    return up;
  }));
}

describe.each(LISTENERS.flatMap((listener) => CLIENTS.map((client) => [listener, client] as const)))('listener %s, upstream client %s', (listener, client) => {
  const listen = { host: '127.0.0.1', port: 0, server: listener };

  it('a peer a reload removed after the walk picked it gets nothing: 502 UPSTREAM_CONNECT_FAILED, attempt logged PEER_REMOVED', async () => {
    const [first, removed] = await scripted('first', 'removed');
    if (first === undefined || removed === undefined) throw new Error('upstreams');
    first.onRequest = () => undefined; // held until the reload is done
    const group = (servers: string[], strategy: string) => ({ servers, client, strategy, nextUpstream: { on: ['error', 'http_503'] } });
    const sink = lineSink();
    const raw = { listen, accessLog: { enabled: true }, upstreams: { default: group([`${first.address} max_fails=0`, `${removed.address} max_fails=0`], 'round_robin') } };
    f.balancer = await startTestBalancer(raw, { accessLogDestination: sink.stream });
    // Smooth round robin over two equal peers picks the first one first.
    const pending = get(f.balancer.port, '/x');
    const held = await waitFor(() => first.exchanges[0], { what: 'the request at the first peer' });
    // A new strategy is a fresh lb-core group: the request keeps walking the old one, whose
    // next candidate is the removed peer, while the peer's pool is gone.
    await f.balancer.reload(testConfig({ ...raw, upstreams: { default: group([`${first.address} max_fails=0`], 'least_conn') } }));
    await answer(first, held, 503);
    const r = await pending;
    expect([r.status, r.json.code, r.json.message]).toEqual([502, 'UPSTREAM_CONNECT_FAILED', 'could not connect to an upstream server']);
    expect(removed.exchanges).toHaveLength(0);
    expect(removed.connections.opened).toBe(0);
    const line = await waitFor(() => sink.lines.find((l) => l.path === '/x'), { what: 'the access log line' });
    expect(line.status).toBe(502);
    expect((line.attempts as Record<string, unknown>[]).map((a) => [a.peer, a.status, a.error])).toEqual([
      [first.address, 503, undefined],
      [removed.address, undefined, 'PEER_REMOVED'],
    ]);
  });

  it('a walk’s error answer other than LOCAL_RESOURCES_EXHAUSTED carries no Retry-After', async () => {
    const [gone] = await scripted('gone');
    if (gone === undefined) throw new Error('upstream');
    await gone.close(); // refuses connections
    f.balancer = await startTestBalancer({ listen, upstreams: { default: { servers: [gone.address], client } } });
    const r = await get(f.balancer.port, '/x');
    expect([r.status, r.json.code, r.headers['retry-after']]).toEqual([502, 'UPSTREAM_CONNECT_FAILED', undefined]);
  });
});
