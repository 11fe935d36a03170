import { describe, expect, it } from 'vitest';
import { fail, makeGroup, peer, succeed } from '../test/helpers.js';

/** The snapshot /status and the metrics read: optional fields, states, and failure messages. */
const view = (group: ReturnType<typeof makeGroup>, id: string, now = 0) => group.snapshot(now).peers.find((p) => p.id === id);

describe('peer snapshot', () => {
  it('has no latency or health-check fields until there is something to show', () => {
    const group = makeGroup('least_time', [peer('a'), peer('b')], { activeHealth: { enabled: true, passes: 1, fails: 1 } });
    const fresh = view(group, 'a');
    expect(fresh).not.toHaveProperty('lastLatencyMs');
    expect(fresh).not.toHaveProperty('ewmaLatencyMs');
    expect(fresh?.health).not.toHaveProperty('lastCheckAt');
    expect(fresh?.health).not.toHaveProperty('lastOk');
    expect(fresh?.state).toBe('unchecked');

    group.observeHealthCheck('a', true, 5);
    group.observeHealthCheck('b', false, 5);
    succeed(group, 'a', 10, 40);
    const a = view(group, 'a', 10);
    expect(a).toMatchObject({ state: 'up', lastLatencyMs: 40 });
    expect(a?.ewmaLatencyMs).toBeCloseTo(40, 6);
    expect(a?.health).toMatchObject({ status: 'healthy', lastCheckAt: 5, lastOk: true, checks: 1 });
    expect(view(group, 'b', 10)).toMatchObject({ state: 'unhealthy', health: { status: 'unhealthy', lastOk: false } });
  });

  it('reports passive failures as failed only while the peer is out', () => {
    const group = makeGroup('round_robin', [peer('a', { maxFails: 1, failTimeoutMs: 1000 }), peer('b')]);
    fail(group, 'a', 0);
    expect(view(group, 'a', 500)).toMatchObject({ state: 'failed', fails: 1, totalFails: 1, ejections: 1 });
    expect(view(group, 'a', 1001)?.state).toBe('up');
  });
});

describe('failure results', () => {
  it('name the group and count the peers by reason', () => {
    const group = makeGroup('round_robin', [peer('a', { down: true }), peer('b', { down: true }), peer('c', { maxConns: 1 })]);
    group.acquire('c');
    const r = group.select({ now: 0 });
    expect(r).toMatchObject({ ok: false, code: 'LB_ALL_AT_MAX_CONNS', message: 'no usable peer in upstream group "test" (3 peers: 2 down, 1 max_conns)' });
    const empty = makeGroup('round_robin', []).select({ now: 0 });
    expect(empty).toMatchObject({ ok: false, code: 'LB_NO_PEERS', message: 'upstream group "test" has no peers' });
  });
});
