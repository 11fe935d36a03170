import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countBy, fail, makeGroup, pickIds, weighted } from '../../test/helpers.js';

// Golden sequences of NGINX smooth weighted round robin (ngx_http_upstream_get_peer),
// worked by hand: each round adds every weight to current_weight, takes the max (first
// on ties) and subtracts the total from the winner.
const GOLDEN: { name: string; weights: Record<string, number>; expected: string }[] = [
  // {5,1,1}: current a,b,c = 5,1,1 → a (-2,1,1); 3,2,2 → a (-4,2,2); 1,3,3 → b (1,-4,3);
  // 6,-3,4 → a (-1,-3,4); 4,-2,5 → c (4,-2,-2); 9,-1,-1 → a (2,-1,-1); 7,0,0 → a (0,0,0).
  { name: 'weights 5,1,1', weights: { a: 5, b: 1, c: 1 }, expected: 'aabacaa' },
  { name: 'equal weights rotate in order', weights: { a: 1, b: 1, c: 1 }, expected: 'abcabc' },
  // {2,1}: 2,1 → a (-1,1); 1,2 → b (1,-1); 3,0 → a (0,0).
  { name: 'weights 2,1', weights: { a: 2, b: 1 }, expected: 'abaaba' },
  // {3,2}: 3,2→a(-2,2); 1,4→b(1,-1); 4,1→a(-1,1); 2,3→b(2,-2); 5,0→a(0,0).
  { name: 'weights 3,2', weights: { a: 3, b: 2 }, expected: 'ababa' },
];

describe('round_robin (NGINX smooth WRR)', () => {
  it.each(GOLDEN)('golden sequence: $name', ({ weights, expected }) => {
    const group = makeGroup('round_robin', weighted(weights));
    expect(pickIds(group, expected.length).join('')).toBe(expected);
  });

  it('a failure lowers effective_weight by weight/max_fails; it climbs one step per pick', () => {
    const group = makeGroup('round_robin', weighted({ a: 4, b: 4 }, { maxFails: 4 }));
    fail(group, 'a', 0); // effective_weight 4 - 4/4 = 3; fails 1 < 4 so still usable
    const after = () => group.snapshot(0).peers.find((p) => p.id === 'a')?.effectiveWeight;
    expect(after()).toBe(3);
    pickIds(group, 1);
    expect(after()).toBe(4);
  });

  it('effective_weight climbs back one step per round, not at once', () => {
    const group = makeGroup('round_robin', weighted({ a: 4, b: 4 }, { maxFails: 2 }));
    fail(group, 'a', 0); // 4 - 4/2 = 2
    const after = () => group.snapshot(0).peers.find((p) => p.id === 'a')?.effectiveWeight;
    const climb = [after()];
    for (let i = 0; i < 3; i++) {
      pickIds(group, 1);
      climb.push(after());
    }
    expect(climb).toEqual([2, 3, 4, 4]);
  });

  it('ignores requests in flight (that is least_conn): a busy peer keeps its turn', () => {
    const group = makeGroup('round_robin', weighted({ a: 1, b: 1 }));
    for (let i = 0; i < 5; i++) group.acquire('a');
    expect(pickIds(group, 4).join('')).toBe('abab');
  });

  it('with a reduced effective weight the sequence follows NGINX', () => {
    // a and b weight 2, max_fails 2: a failure on a gives effective_weight 1.
    // round 1: a += 1 → 1 (ew→2), b += 2 → 2 → b wins (1, -1)
    // round 2: a 3, b 1 → a (-1, 1); round 3: a 1, b 3 → b (1,-1); round 4: a 3, b 1 → a
    const group = makeGroup('round_robin', weighted({ a: 2, b: 2 }, { maxFails: 2 }));
    fail(group, 'a', 0);
    expect(pickIds(group, 4).join('')).toBe('baba');
  });

  it('property: over total-weight picks each peer gets exactly its weight', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }), (ws) => {
        const weights = Object.fromEntries(ws.map((w, i) => [`p${i}`, w]));
        const group = makeGroup('round_robin', weighted(weights));
        const total = ws.reduce((a, b) => a + b, 0);
        const counts = countBy(pickIds(group, total * 3));
        for (const [id, w] of Object.entries(weights)) expect(counts[id]).toBe(w * 3);
      }),
    );
  });

  it('property: smooth — a peer never gets more than ceil(weight/total * k) + 1 of any k-prefix', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 6 }), (ws) => {
        const weights = Object.fromEntries(ws.map((w, i) => [`p${i}`, w]));
        const total = ws.reduce((a, b) => a + b, 0);
        const ids = pickIds(makeGroup('round_robin', weighted(weights)), total);
        const seen: Record<string, number> = {};
        ids.forEach((id, k) => {
          seen[id] = (seen[id] ?? 0) + 1;
          expect(seen[id]).toBeLessThanOrEqual(Math.ceil((weights[id]! * (k + 1)) / total) + 1);
        });
      }),
    );
  });
});
