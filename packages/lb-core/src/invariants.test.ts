import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fail, makeGroup, peer, succeed } from '../test/helpers.js';
import { STRATEGY_NAMES, createSeededRandom, type Group, type StrategyOptions } from './index.js';

// Invariants every strategy must keep, checked with random groups.

const strategies: StrategyOptions[] = [
  ...STRATEGY_NAMES.map((name) => ({ name })),
  { name: 'hash', consistent: true },
];

const peerArb = fc.record({
  weight: fc.integer({ min: 1, max: 5 }),
  backup: fc.boolean(),
  down: fc.boolean(),
  drained: fc.boolean(),
  failed: fc.boolean(),
  maxConns: fc.integer({ min: 0, max: 2 }),
  inFlight: fc.integer({ min: 0, max: 2 }),
  tried: fc.boolean(),
});

type PeerSpec = typeof peerArb extends fc.Arbitrary<infer T> ? T : never;

function build(strategy: StrategyOptions, specs: PeerSpec[], seed: number): Group {
  const group = makeGroup(
    strategy,
    specs.map((s, i) => peer(`p${i}`, { weight: s.weight, backup: s.backup, down: s.down, maxConns: s.maxConns })),
    { random: createSeededRandom(seed) },
  );
  specs.forEach((s, i) => {
    if (s.drained) group.setDrain(`p${i}`, true);
    if (s.failed) fail(group, `p${i}`, 0);
    for (let k = 0; k < s.inFlight; k++) group.acquire(`p${i}`);
  });
  return group;
}

function usable(specs: PeerSpec[], i: number): boolean {
  const s = specs[i]!;
  const single = specs.filter((x) => !x.backup).length === 1 && specs.every((x) => !x.backup);
  const full = s.maxConns > 0 && s.inFlight >= s.maxConns;
  return !s.down && !s.drained && !(s.failed && !single) && !s.tried && !full;
}

describe.each(strategies.map((s) => [s.consistent ? 'hash consistent' : s.name, s] as const))(
  'invariants: %s',
  (_label, strategy) => {
    it('picks only usable peers, backups only when no primary is usable, and fails only when none is', () => {
      fc.assert(
        fc.property(
          fc.array(peerArb, { minLength: 1, maxLength: 6 }),
          fc.nat(),
          fc.ipV4(),
          fc.string({ maxLength: 8 }),
          (specs, seed, clientIp, hashKey) => {
            const group = build(strategy, specs, seed);
            const tried = new Set(specs.flatMap((s, i) => (s.tried ? [`p${i}`] : [])));
            const result = group.select({ now: 1, clientIp, hashKey, tried });
            const ok = specs.map((_, i) => usable(specs, i));
            const primaryOk = specs.some((s, i) => ok[i] && !s.backup);
            if (!result.ok) {
              expect(ok.some(Boolean)).toBe(false);
              return;
            }
            const index = Number(result.peer.id.slice(1));
            expect(ok[index]).toBe(true);
            expect(result.peer.backup).toBe(!primaryOk);
          },
        ),
        { numRuns: 150 },
      );
    });

    it('a retry walk never yields the same peer twice and stops at the cap', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 8 }), fc.ipV6(), (n, cap, clientIp) => {
          const group = makeGroup(
            strategy,
            Array.from({ length: n }, (_, i) => peer(`p${i}`)),
          );
          const picks = [...group.candidates({ now: 0, clientIp, hashKey: clientIp }, cap)];
          const ids = picks.flatMap((r) => (r.ok ? [r.peer.id] : []));
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids).toHaveLength(Math.min(n, cap));
          expect(picks.length).toBeLessThanOrEqual(cap);
        }),
        { numRuns: 60 },
      );
    });

    it('recovers after every peer was down: never stuck on a dead peer', () => {
      const group = makeGroup(strategy, [peer('a'), peer('b'), peer('c')]);
      for (const id of ['a', 'b', 'c']) fail(group, id, 0);
      expect(group.select({ now: 1, clientIp: '10.0.0.1', hashKey: 'k' }).ok).toBe(false);
      // After the window a and b are still dead (their probes fail); only c answers.
      // Every walk must end on c, and each dead peer gets exactly one probe per window.
      const seen: string[] = [];
      for (let now = 10_001; now < 10_031; now++) {
        let last: string | undefined;
        for (const pick of group.candidates({ now, clientIp: '10.0.0.1', hashKey: 'k' }, 3)) {
          if (!pick.ok) break;
          last = pick.peer.id;
          seen.push(last);
          if (last === 'c') {
            succeed(group, 'c', now);
            break;
          }
          fail(group, last, now);
        }
        expect(last).toBe('c');
      }
      expect(seen.filter((id) => id === 'a').length).toBeLessThanOrEqual(1);
      expect(seen.filter((id) => id === 'b').length).toBeLessThanOrEqual(1);
      expect(seen.filter((id) => id === 'c')).toHaveLength(30);
    });
  },
);
