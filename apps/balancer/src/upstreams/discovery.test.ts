import type { ServerEntry } from '@fleet/config';
import { describe, expect, it } from 'vitest';
import { createDiscovery, joinHostPort, samePeers, splitHostPort, type ResolvedAddress } from './discovery.js';

const entry = (address: string, extra: Partial<ServerEntry> = {}): ServerEntry => ({
  address,
  weight: 1,
  maxFails: 1,
  failTimeoutMs: 10_000,
  backup: false,
  down: false,
  maxConns: 0,
  slowStartMs: 0,
  ...extra,
});
const quiet = { warn: () => undefined };

describe('addresses', () => {
  it.each([
    ['127.0.0.1:8001', '127.0.0.1', 8001],
    ['model-server:8000', 'model-server', 8000],
    ['[::1]:8000', '::1', 8000],
  ])('%s', (address, host, port) => {
    expect(splitHostPort(address)).toEqual({ host, port });
    expect(joinHostPort(host, port)).toBe(address);
  });

  it('rejects an address without a port', () => {
    expect(() => splitHostPort('model-server')).toThrow(/host:port/);
  });
});

describe('createDiscovery', () => {
  it('turns every record into a peer named after the server line, IP literals as is', async () => {
    const lookup = async (host: string): Promise<ResolvedAddress[]> =>
      host === 'replicas' ? [{ address: '10.0.0.2', family: 4 }, { address: 'fd00::3', family: 6 }] : [];
    const d = createDiscovery([entry('replicas:8000', { weight: 3 }), entry('127.0.0.1:9000', { backup: true })], lookup, quiet);
    expect(d.dynamic).toBe(true);
    const peers = await d.resolve();
    expect(peers.map((p) => [p.id, p.name, p.weight, p.backup])).toEqual([
      ['10.0.0.2:8000', 'replicas:8000', 3, false],
      ['[fd00::3]:8000', 'replicas:8000', 3, false],
      ['127.0.0.1:9000', '127.0.0.1:9000', 1, true],
    ]);
  });

  it('keeps the last good set when a lookup fails or is empty, and logs it', async () => {
    const answers: (ResolvedAddress[] | Error)[] = [[{ address: '10.0.0.2', family: 4 }], new Error('SERVFAIL'), []];
    const warnings: object[] = [];
    const d = createDiscovery([entry('replicas:8000')], async () => {
      const a = answers.shift() ?? [];
      if (a instanceof Error) throw a;
      return a;
    }, { warn: (o) => warnings.push(o) });
    const first = await d.resolve();
    expect(await d.resolve()).toEqual(first);
    expect(await d.resolve()).toEqual(first);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ code: 'DNS_RESOLVE_FAILED', server: 'replicas:8000', kept: 1 });
  });

  it('static-only server lists are not dynamic; samePeers ignores order', async () => {
    const d = createDiscovery([entry('127.0.0.1:1'), entry('127.0.0.1:2')], async () => [], quiet);
    expect(d.dynamic).toBe(false);
    const peers = await d.resolve();
    expect(samePeers(peers, [...peers].reverse())).toBe(true);
    expect(samePeers(peers, peers.slice(1))).toBe(false);
  });
});
