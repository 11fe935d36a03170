import { describe, expect, it } from 'vitest';
import { countBy, fail, makeGroup, peer, pickId, weighted } from '../../test/helpers.js';
import type { PeerConfig, SelectResult } from '../index.js';
import { buildRing, findPoint, splitServer } from './ketama.js';
import { NGINX_EXPECTED } from '../../test/nginx-expected.js';

// Expected picks come from the independent oracle oracle/nginx-hash.mjs, written from
// ngx_http_upstream_hash_module.c (zlib's crc32; generic: hash += (crc32([rehash] key) >> 16)
// & 0x7fff, w = hash % total; consistent: ketama points crc32(host \0 port prev_hash_le32),
// 160 per weight unit), through test/nginx-expected.json, which test/nginx-oracle.test.ts
// checks against the oracle.
const generic = NGINX_EXPECTED.hash;
const chash = NGINX_EXPECTED.consistent;
const chashWith = (key: string, weights: number[], down?: string) =>
  chash.find((c) => c.key === key && Object.values(c.servers).join() === weights.join() && c.down?.[0] === down);
const walkIds = (results: SelectResult[]) => results.map((r) => (r.ok ? r.peer.id : r.code)).join('');
/** The oracle marks a pick of the round-robin fallback as `round_robin:<peer>`. */
const peerIds = (picks: string[]) => picks.map((p) => p.replace(/^round_robin:/, '')).join('');

describe('hash $key (generic, NGINX)', () => {
  // Reference rehash sequences over weights {1,1,1}: /predict 0 1 0 2 …, user-42 2 2 0 0 1 …,
  // alpha 1 2 2 1 …; over {2,1,1}: /predict 1 …, alpha 0 …, gamma 2 …
  it.each(generic.filter((c) => c.down === undefined).map((c) => ({ ...c, first: c.picks[0], walk: c.picks.join('') })))('$key over $weights → $first, retry walk $walk', ({ key, weights, first, walk }) => {
    const group = makeGroup('hash', weighted(weights));
    expect(pickId(group, { now: 0, hashKey: key })).toBe(first);
    expect(pickId(group, { now: 0, hashKey: key })).toBe(first);
    expect(walkIds([...group.candidates({ now: 0, hashKey: key }, walk.length)])).toBe(walk);
  });

  it('an unusable peer is skipped by rehashing', () => {
    // user-42: c (index 2), rehash → 2 again, → 0 → a
    expect(generic.find((c) => c.down?.[0] === 'c')?.picks).toEqual(['a']);
    const group = makeGroup('hash', [peer('a'), peer('b'), peer('c', { down: true })]);
    expect(pickId(group, { now: 0, hashKey: 'user-42' })).toBe('a');
  });

  // The 20-try limit counts over the whole walk (a retry at exactly 20 tries still hashes), and
  // once a walk has fallen back to round robin it stays there.
  it.each(generic.filter((c) => c.down !== undefined))('$key over $weights with $down down → $picks', ({ key, weights, down, n, picks }) => {
    const group = makeGroup('hash', weighted(weights).map((p) => ({ ...p, down: down?.includes(p.id) ?? false })));
    expect(walkIds([...group.candidates({ now: 0, hashKey: key }, n ?? 1)])).toBe(peerIds(picks));
  });

  it('a one-peer tier goes round robin (NGINX `single`), so its effective_weight recovers as round robin does', () => {
    const group = makeGroup('hash', [peer('a', { weight: 2, maxFails: 2 }), peer('z', { backup: true })]);
    fail(group, 'a', 0); // effective_weight 2 - 2/2 = 1; 1 failure of 2: still up
    expect(pickId(group, { now: 1, hashKey: 'user-42' })).toBe('a');
    expect(group.snapshot(1).peers[0]?.effectiveWeight).toBe(2); // a round-robin pick raised it; hashing would not
  });

  it('an empty or missing key goes round robin', () => {
    const group = makeGroup('hash', weighted({ a: 1, b: 1, c: 1 }));
    expect([pickId(group, { now: 0, hashKey: '' }), pickId(group, { now: 0 }), pickId(group, { now: 0 })]).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});

const servers = ['10.0.0.1:8000', '10.0.0.2:8000', '10.0.0.3:8000'];
const ketamaPeers = (weights: number[] = [1, 1, 1]): PeerConfig[] =>
  servers.map((s, i) => peer(s, { weight: weights[i] ?? 1 }));

describe('hash $key consistent (ketama, NGINX)', () => {
  it('builds 160 points per weight unit, sorted, hashed as NGINX', () => {
    const ring = buildRing(servers.map((server) => ({ server, weight: 1 })));
    expect(ring).toHaveLength(NGINX_EXPECTED.ring.length);
    expect(ring.slice(0, 3)).toEqual(NGINX_EXPECTED.ring.first); // 17998970 .2, 27874173 .1, 41512425 .1
    expect(findPoint(ring, 0)).toBe(0);
    expect(findPoint(ring, 17998970)).toBe(0);
    expect(findPoint(ring, 17998971)).toBe(1);
    expect(findPoint(ring, 0xffffffff)).toBe(480);
  });

  it('drops duplicate points: two addresses of one server name give one set of 160 points', () => {
    const one = buildRing([{ server: 'model:8000', weight: 1 }]);
    const twice = buildRing([
      { server: 'model:8000', weight: 1 },
      { server: 'model:8000', weight: 1 },
    ]);
    expect(twice).toEqual(one);
    expect(twice).toHaveLength(160);
  });

  it.each(
    ['/predict', 'user-42', 'alpha', 'gamma'].map((key) => ({
      key,
      expected: chashWith(key, [1, 1, 1])?.picks[0],
      weighted: chashWith(key, [2, 1, 1])?.picks[0],
    })),
  )('golden pick for $key', ({ key, expected, weighted: withWeight }) => {
    const group = makeGroup({ name: 'hash', consistent: true }, ketamaPeers());
    expect(pickId(group, { now: 0, hashKey: key })).toBe(expected);
    const heavier = makeGroup({ name: 'hash', consistent: true }, ketamaPeers([2, 1, 1]));
    expect(pickId(heavier, { now: 0, hashKey: key })).toBe(withWeight);
  });

  // Ring points after each key's first point (reference implementation):
  // /predict @164: .2 .2 .3 .1 …   alpha @394: .3 .3 .3 .2 .1 …   gamma @370: .1 .1 .3 .1 .2 …
  // user-42 @245: .2 .3 .2 .2 .2 .2 .1 …  A retry walks on from the point it stopped at.
  it.each(chash.filter((c) => c.n === 3))('retry walk for $key follows the ring: $picks', ({ key, picks }) => {
    const group = makeGroup({ name: 'hash', consistent: true }, ketamaPeers());
    const got = [...group.candidates({ now: 0, hashKey: key }, 3)].map((r) => (r.ok ? r.peer.id : r.code));
    expect(got).toEqual(picks);
  });

  it.each(chash.filter((c) => c.n === 2))('retry walk for $key past a down server goes on from where it stopped: $picks', ({ key, servers, down, picks }) => {
    const peers = Object.entries(servers).map(([id, weight]) => peer(id, { weight, down: down?.includes(id) ?? false }));
    const group = makeGroup({ name: 'hash', consistent: true }, peers);
    expect(walkIds([...group.candidates({ now: 0, hashKey: key }, picks.length)])).toBe(peerIds(picks));
  });

  it('an unusable peer sends the key to the next point on the ring, not the next peer', () => {
    const down = (id: string) => ketamaPeers().map((p) => ({ ...p, down: p.id === id }));
    for (const key of ['alpha', 'gamma']) {
      const expected = chashWith(key, [1, 1, 1], '10.0.0.3:8000')?.picks[0];
      expect(expected).toMatch(/^10\.0\.0\.[12]:8000$/); // alpha → .2, gamma → .1: the ring's next points
      const group = makeGroup({ name: 'hash', consistent: true }, down('10.0.0.3:8000'));
      expect(pickId(group, { now: 0, hashKey: key })).toBe(expected);
    }
  });

  it.each([
    ['10.0.0.1:8000', '10.0.0.1', '8000'],
    ['[::1]:80', '[::1]', '80'],
    ['model-server', 'model-server', ''],
    ['unix:/tmp/sock', '/tmp/sock', ''],
    ['UNIX:/tmp/sock', '/tmp/sock', ''],
    ['a:9', 'a', '9'],
    ['a:8b0', 'a:8b0', ''], // the port must be digits only
    ['a:8-0', 'a:8-0', ''],
    ['8000', '8000', ''],
  ])('splits %s into host %s and port %s', (server, host, port) => {
    expect(splitServer(server)).toEqual({ host, port });
  });

  const keys = Array.from({ length: 3000 }, (_, i) => `key-${i}`);
  const five = ['s1:80', 's2:80', 's3:80', 's4:80', 's5:80'].map((id) => peer(id));
  const assign = (peers: PeerConfig[]) => {
    const group = makeGroup({ name: 'hash', consistent: true }, peers);
    return keys.map((hashKey) => pickId(group, { now: 0, hashKey }));
  };

  it('removing one of five peers moves only its own keys (~1/5)', () => {
    const before = assign(five);
    const after = assign(five.filter((p) => p.id !== 's3:80'));
    const moved = keys.filter((_, i) => before[i] !== after[i]);
    expect(moved.every((k) => before[keys.indexOf(k)] === 's3:80')).toBe(true);
    expect(Math.abs(moved.length / keys.length - 0.2)).toBeLessThan(0.06);
    const share = countBy(before);
    for (const id of ['s1:80', 's2:80', 's3:80', 's4:80', 's5:80']) {
      expect(Math.abs(share[id]! / keys.length - 0.2)).toBeLessThan(0.06);
    }
  });

  it('a failed peer sends its keys to the next point; other keys stay put', () => {
    const group = makeGroup({ name: 'hash', consistent: true }, five);
    const before = keys.map((hashKey) => pickId(group, { now: 0, hashKey }));
    fail(group, 's2:80', 0);
    const after = keys.map((hashKey) => pickId(group, { now: 1, hashKey }));
    keys.forEach((_, i) => {
      if (before[i] !== 's2:80') expect(after[i]).toBe(before[i]);
      else expect(after[i]).not.toBe('s2:80');
    });
  });

  it('addresses sharing one server name share its points and alternate by smooth WRR', () => {
    const peers = [
      peer('10.0.0.1:8000', { name: 'model:8000' }),
      peer('10.0.0.2:8000', { name: 'model:8000' }),
      peer('other:8000'),
    ];
    const group = makeGroup({ name: 'hash', consistent: true }, peers);
    const key = keys.find((hashKey) => pickId(group, { now: 0, hashKey }).startsWith('10.'))!;
    const again = [pickId(group, { now: 0, hashKey: key }), pickId(group, { now: 0, hashKey: key })];
    expect(new Set(again)).toEqual(new Set(['10.0.0.1:8000', '10.0.0.2:8000']));
  });

  it('an empty key goes round robin', () => {
    const group = makeGroup({ name: 'hash', consistent: true }, ketamaPeers());
    expect([0, 1, 2].map(() => pickId(group, { now: 0, hashKey: '' }))).toEqual(servers);
  });
});
