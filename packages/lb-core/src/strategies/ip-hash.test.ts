import { describe, expect, it } from 'vitest';
import { countBy, fail, makeGroup, peer, pickId, weighted } from '../../test/helpers.js';
import { createSeededRandom, type SelectResult } from '../index.js';
import { ipHashBytes } from '../ip-address.js';
import { NGINX_EXPECTED } from '../../test/nginx-expected.js';

// NGINX ip_hash: hash = 89; per loop turn, for each of the first three IPv4 octets (all
// 16 bytes for IPv6) hash = (hash * 113 + byte) % 6271; w = hash % total_weight.
//
// Worked by hand for 10.0.0.1 (bytes 10, 0, 0):
//   (89 * 113 + 10) % 6271 = 10067 % 6271 = 3796
//   (3796 * 113 + 0) % 6271 = 428948 % 6271 = 2520
//   (2520 * 113 + 0) % 6271 = 284760 % 6271 = 2565   → 2565 % 3 = 0 → a;  % 5 = 0 → a
// 10.0.1.1 (10, 0, 1): last step (2520 * 113 + 1) % 6271 = 2566 → % 3 = 1 → b; % 5 = 1 → a
// 192.168.1.10 (192, 168, 1):
//   (89 * 113 + 192) % 6271 = 10249 % 6271 = 3978
//   (3978 * 113 + 168) % 6271 = 449682 % 6271 = 4441
//   (4441 * 113 + 1) % 6271 = 501834 % 6271 = 154  → 154 % 3 = 1 → b;  % 5 = 4 → c
// Every expected pick below comes from the independent oracle (oracle/nginx-hash.mjs, written
// from ngx_http_upstream_ip_hash_module.c) through test/nginx-expected.json, which
// test/nginx-oracle.test.ts checks against it.
const single = NGINX_EXPECTED.ipHash.filter((c) => c.n === undefined && c.down === undefined);
const walks = NGINX_EXPECTED.ipHash.filter((c) => c.n !== undefined);
const withDown = NGINX_EXPECTED.ipHash.filter((c) => c.down !== undefined);
const GOLDEN = [
  ...single.map((c) => ({ client: c.client, weights: c.weights, expected: c.picks[0] })),
  // Departure (README): an IPv4-mapped IPv6 client is hashed as IPv4 (NGINX would hash 16 bytes).
  { client: '::ffff:192.168.1.10', weights: { a: 1, b: 1, c: 1 }, expected: 'b' },
];

const walkIds = (results: SelectResult[]) => results.map((r) => (r.ok ? r.peer.id : r.code)).join('');
/** The oracle marks a pick of the round-robin fallback as `round_robin:<peer>`. */
const peerIds = (picks: string[]) => picks.map((p) => p.replace(/^round_robin:/, '')).join('');
const withDownPeers = (weights: Record<string, number>, down: string[] = []) =>
  weighted(weights).map((p) => ({ ...p, down: down.includes(p.id) }));

describe('ip_hash (NGINX)', () => {
  it.each(GOLDEN)('$client with weights $weights → $expected', ({ client, weights, expected }) => {
    const group = makeGroup('ip_hash', weighted(weights));
    for (let i = 0; i < 3; i++) expect(pickId(group, { now: 0, clientIp: client })).toBe(expected);
  });

  // Rehash sequences (peer index per loop turn): 192.168.1.10 → 1 2 2 0 …, 10.0.0.1 → 0 1 0 0 1 2 …
  // With a heavy peer down: the 20-try limit counts over the whole walk (a retry at exactly
  // 20 tries still hashes), and once a walk has fallen back to round robin it stays there.
  it.each(walks)('retry walk for $client (down: $down) continues the rehash: $picks', ({ client, weights, down, n, picks }) => {
    const group = makeGroup('ip_hash', withDownPeers(weights, down));
    expect(walkIds([...group.candidates({ now: 0, clientIp: client }, n ?? 1)])).toBe(peerIds(picks));
  });

  it('an unusable peer is skipped by rehashing, not by moving to the neighbour', () => {
    // 192.168.1.10: b, then rehash → c (not a, which a "next peer" scheme would give)
    const c = withDown.find((x) => x.client === '192.168.1.10');
    expect(c?.picks).toEqual(['c']);
    const group = makeGroup('ip_hash', weighted(c?.weights ?? {}).map((p) => ({ ...p, down: c?.down?.includes(p.id) ?? false })));
    expect(pickId(group, { now: 0, clientIp: c?.client ?? '' })).toBe('c');
  });

  it.each(withDown.filter((c) => !c.picks[0]?.startsWith('round_robin')))('$client over $weights with $down down → $picks', ({ client, weights, down, picks }) => {
    const group = makeGroup('ip_hash', weighted(weights).map((p) => ({ ...p, down: down?.includes(p.id) ?? false })));
    expect(pickId(group, { now: 0, clientIp: client })).toBe(picks[0]);
  });

  it('after 20 rehashes it falls back to round robin', () => {
    // weights a=1, b=100: for 10.0.0.1 none of the first 21 values of hash % 101 is 0
    // (40, 36, 50, 69, 37, …), so with b down only the round-robin fallback can find a.
    expect(withDown.find((x) => x.client === '10.0.0.1')?.picks).toEqual(['round_robin:a']);
    const group = makeGroup('ip_hash', weighted({ a: 1, b: 100 }).map((p) => ({ ...p, down: p.id === 'b' })));
    expect(pickId(group, { now: 0, clientIp: '10.0.0.1' })).toBe('a');
  });

  it('a one-peer tier goes round robin (NGINX: fewer than two peers), so its effective_weight recovers', () => {
    const group = makeGroup('ip_hash', [peer('a', { weight: 2, maxFails: 2 }), peer('z', { backup: true })]);
    fail(group, 'a', 0); // effective_weight 2 - 2/2 = 1; 1 failure of 2: still up
    expect(pickId(group, { now: 1, clientIp: '10.0.0.1' })).toBe('a');
    expect(group.snapshot(1).peers[0]?.effectiveWeight).toBe(2); // a round-robin pick raised it; hashing would not
  });

  it('unknown or non-IP clients go round robin', () => {
    const group = makeGroup('ip_hash', weighted({ a: 1, b: 1, c: 1 }));
    const ids = ['unix:/tmp/s', undefined, ''].map((clientIp) =>
      pickId(group, clientIp === undefined ? { now: 0 } : { now: 0, clientIp }),
    );
    expect(ids).toEqual(['a', 'b', 'c']);
  });

  it('clients spread over peers in proportion to weight (±3 points)', () => {
    const random = createSeededRandom(7);
    const group = makeGroup('ip_hash', weighted({ a: 2, b: 1, c: 1 }));
    const ids = Array.from({ length: 4000 }, () => {
      const octets = [1, 2, 3].map(() => Math.floor(random() * 256));
      return pickId(group, { now: 0, clientIp: `${octets.join('.')}.9` });
    });
    const counts = countBy(ids);
    expect(Math.abs(counts.a! / 4000 - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(counts.b! / 4000 - 0.25)).toBeLessThan(0.03);
    expect(Math.abs(counts.c! / 4000 - 0.25)).toBeLessThan(0.03);
  });
});

describe('ipHashBytes', () => {
  it.each([
    ['10.1.2.3', [10, 1, 2]],
    ['::ffff:10.1.2.3', [10, 1, 2]],
    ['[2001:db8::1]', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['fe80::1%eth0', [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
  ])('%s', (address, bytes) => {
    expect([...(ipHashBytes(address) ?? [])]).toEqual(bytes);
  });

  it.each(['', 'localhost', '1.2.3', '1.2.3.256', '1::2::3', '12345::', 'unix:/x'])('rejects %s', (address) => {
    expect(ipHashBytes(address)).toBeUndefined();
  });
});
