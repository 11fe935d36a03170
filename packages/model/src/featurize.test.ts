import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { featurize, tensorsForTexts } from './featurize.js';
import { MAX_TOKENS, tokenId, tokenIds } from './tokenize.js';

const id = (token: string): bigint => BigInt(tokenId(token));

describe('featurize', () => {
  it('pads every row to the longest text, with a 0/1 mask', () => {
    const f = featurize(['Hello world', 'one two three', 'x']);
    expect(f.batch).toBe(3);
    expect(f.seqLen).toBe(3);
    expect([...f.inputIds]).toEqual([
      id('hello'), id('world'), 0n,
      id('one'), id('two'), id('three'),
      id('x'), 0n, 0n,
    ]);
    expect([...f.mask]).toEqual([1, 1, 0, 1, 1, 1, 1, 0, 0]);
  });

  it('gives seqLen 1 (all padding) when no text has a token', () => {
    const f = featurize(['', '!!!']);
    expect(f).toEqual({ inputIds: new BigInt64Array(2), mask: new Float32Array(2), batch: 2, seqLen: 1 });
  });

  it('handles an empty batch', () => {
    const f = featurize([]);
    expect(f.batch).toBe(0);
    expect(f.inputIds).toHaveLength(0);
  });

  it('caps the sequence at MAX_TOKENS, or at opts.maxTokens', () => {
    const long = 'word '.repeat(MAX_TOKENS * 2);
    expect(featurize([long, 'short']).seqLen).toBe(MAX_TOKENS);
    const f = featurize([long, 'a b'], { maxTokens: 4 });
    expect(f.seqLen).toBe(4);
    expect([...f.mask]).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('rejects a non-positive maxTokens', () => {
    expect(() => featurize(['a'], { maxTokens: 0 })).toThrow(RangeError);
  });

  it('is a pure function of the texts', () => {
    expect(featurize(['Same text', 'again'])).toEqual(featurize(['Same text', 'again']));
  });

  it('equals the padded token ids of each text, whatever came before (the scratch is reused)', () => {
    const reference = (texts: string[], maxTokens: number) => {
      const rows = texts.map((t) => tokenIds(t, maxTokens));
      const seqLen = Math.max(1, ...rows.map((r) => r.length));
      const inputIds = rows.flatMap((r) => [...r.map(BigInt), ...new Array<bigint>(seqLen - r.length).fill(0n)]);
      const mask = rows.flatMap((r) => [...r.map(() => 1), ...new Array<number>(seqLen - r.length).fill(0)]);
      return { inputIds, mask, batch: texts.length, seqLen };
    };
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: fc.constantFrom('a', 'B', '7', ' ', 'é', '東', '!'), maxLength: 80 }));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (texts, maxTokens) => {
        const f = featurize(texts, { maxTokens });
        expect({ inputIds: [...f.inputIds], mask: [...f.mask], batch: f.batch, seqLen: f.seqLen }).toEqual(reference(texts, maxTokens));
      }),
      { seed: 20_261_201, numRuns: 300 },
    );
  });
});

describe('tensorsForTexts', () => {
  it('builds named tensors with [batch, seqLen] dims', () => {
    class FakeTensor {
      constructor(
        readonly type: string,
        readonly data: BigInt64Array | Float32Array,
        readonly dims: readonly number[],
      ) {}
    }
    const t = tensorsForTexts({ Tensor: FakeTensor }, ['a b c', 'd']);
    expect(t.input_ids.type).toBe('int64');
    expect(t.input_ids.dims).toEqual([2, 3]);
    expect(t.attention_mask.type).toBe('float32');
    expect([...t.attention_mask.data]).toEqual([1, 1, 1, 1, 0, 0]);
  });
});
