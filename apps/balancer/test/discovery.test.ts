import { describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../src/upstreams/discovery.js';
import { startBackend, type Backend } from './helpers/backend.js';
import { serverIds, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { waitFor } from './helpers/wait.js';

/**
 * DNS discovery with an injected resolver: every A record is a peer (127.0.0.x on one port,
 * like replicas behind a headless Service), set changes are applied, surviving peers keep
 * their counters, a failed lookup keeps the last good set; and active health gating.
 */
const f = useFixtures();

async function backendsOnOnePort(n: number): Promise<Backend[]> {
  const first = await startBackend('s1', 0, '127.0.0.1');
  const rest = await Promise.all(Array.from({ length: n - 1 }, (_, i) => startBackend(`s${i + 2}`, first.port, `127.0.0.${i + 2}`)));
  return [first, ...rest];
}

interface Answer {
  records: string[] | Error;
}

function fakeDns(answer: Answer): (host: string) => Promise<ResolvedAddress[]> {
  return async (host) => {
    if (host !== 'replicas.test') throw Object.assign(new Error(`unexpected host ${host}`), { code: 'ENOTFOUND' });
    if (answer.records instanceof Error) throw answer.records;
    return answer.records.map((address) => ({ address, family: 4 }));
  };
}

function peerIds(): string[] {
  return (f.balancer?.upstreams.get('default')?.group.snapshot(0).peers ?? []).map((p) => p.id).sort();
}

describe('DNS discovery', () => {
  it('follows the record set; surviving peers keep state; a failed lookup keeps the last good set', async () => {
    f.backends = await backendsOnOnePort(3);
    const port = f.backends[0]?.port ?? 0;
    const answer: Answer = { records: ['127.0.0.1', '127.0.0.2'] };
    f.balancer = await startTestBalancer(
      { upstreams: { default: { servers: [`replicas.test:${port}`], resolve: { intervalMs: 30 } } } },
      { lookup: fakeDns(answer) },
    );
    const bp = f.balancer.port;
    expect(new Set(await serverIds(bp, 4))).toEqual(new Set(['s1', 's2']));
    const snapshot = f.balancer.upstreams.get('default')?.group.snapshot(0);
    expect(snapshot?.peers.map((p) => p.name)).toEqual([`replicas.test:${port}`, `replicas.test:${port}`]);

    answer.records = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    await waitFor(() => peerIds().length === 3, { what: 'third peer' });
    const s1 = f.balancer.upstreams.get('default')?.group.snapshot(0).peers.find((p) => p.id === `127.0.0.1:${port}`);
    expect(s1?.requests).toBe(2);
    expect(new Set(await serverIds(bp, 6))).toEqual(new Set(['s1', 's2', 's3']));

    answer.records = Object.assign(new Error('SERVFAIL'), { code: 'ESERVFAIL' });
    await f.balancer.upstreams.get('default')?.refresh();
    expect(peerIds()).toHaveLength(3);

    answer.records = ['127.0.0.3'];
    await waitFor(() => peerIds().length === 1, { what: 'set shrinks to one' });
    expect(await serverIds(bp, 3)).toEqual(['s3', 's3', 's3']);
  });
});

describe('active health checks', () => {
  it('gates new peers until their first pass and takes failing peers out', async () => {
    f.backends = await backendsOnOnePort(3);
    const [, s2, s3] = f.backends as [Backend, Backend, Backend];
    const port = s2.port;
    s2.healthStatus = 503;
    s3.healthStatus = 503;
    const answer: Answer = { records: ['127.0.0.1', '127.0.0.2'] };
    f.balancer = await startTestBalancer(
      {
        upstreams: {
          default: { servers: [`replicas.test:${port}`], resolve: { intervalMs: 30 }, healthCheck: { enabled: true, intervalMs: 40, timeoutMs: 1000 } },
        },
      },
      { lookup: fakeDns(answer) },
    );
    const bp = f.balancer.port;
    await waitFor(async () => (await serverIds(bp, 1))[0] === 's1', { what: 's1 healthy' });
    expect(new Set(await serverIds(bp, 6))).toEqual(new Set(['s1']));

    answer.records = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    await waitFor(() => peerIds().length === 3, { what: 'third peer discovered' });
    const states = (): Record<string, string> =>
      Object.fromEntries((f.balancer?.upstreams.get('default')?.group.snapshot(0).peers ?? []).map((p) => [p.id, p.state]));
    expect(states()[`127.0.0.3:${port}`]).toMatch(/unchecked|unhealthy/);
    expect(new Set(await serverIds(bp, 6))).toEqual(new Set(['s1']));

    s3.healthStatus = 200;
    await waitFor(() => states()[`127.0.0.3:${port}`] === 'up', { what: 's3 passes' });
    expect(new Set(await serverIds(bp, 6))).toEqual(new Set(['s1', 's3']));
    const results = f.balancer.upstreams.get('default')?.healthResults();
    expect(results?.get(`127.0.0.2:${port}`)).toMatchObject({ ok: false, status: 503 });
  });
});
