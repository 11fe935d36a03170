import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TOKENS, VOCAB_SIZE, fnv1a32, tokenCountBound, tokenId, tokenIds, tokenize, writeTokenIds } from './tokenize.js';

describe('tokenize', () => {
  it.each([
    ['Hello, World!', ['hello', 'world']],
    ['FREE $$$ money!!! 100%', ['free', 'money', '100']],
    ["don't stop", ['don', 't', 'stop']],
    ['Ünïcödé ΣΊΣΥΦΟΣ 東京', ['ünïcödé', 'σίσυφος', '東京']],
    ['', []],
    ['  ...  ', []],
  ])('%j → %j', (text, expected) => {
    expect(tokenize(text)).toEqual(expected);
  });

  it('keeps at most maxTokens tokens', () => {
    expect(tokenize('a b c d e', 3)).toEqual(['a', 'b', 'c']);
    expect(tokenize('a '.repeat(MAX_TOKENS + 10))).toHaveLength(MAX_TOKENS);
    expect(tokenize('a b', 0)).toEqual([]);
  });
});

describe('fnv1a32', () => {
  // Published FNV-1a 32-bit test vectors.
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
    ['hello', 0x4f9f2cab],
  ])('%j → %d', (s, expected) => {
    expect(fnv1a32(s)).toBe(expected);
  });

  it('hashes the UTF-8 bytes (multi-byte and astral code points)', () => {
    const viaBytes = (s: string): number => {
      let h = 0x811c9dc5;
      for (const byte of new TextEncoder().encode(s)) h = Math.imul(h ^ byte, 0x01000193);
      return h >>> 0;
    };
    for (const s of ['é', '東京', '😀x', 'ünïcödé', 'ß\u{10348}']) expect(fnv1a32(s)).toBe(viaBytes(s));
  });
});

describe('tokenId', () => {
  it.each([
    ['hello', 1 + (0x4f9f2cab % (VOCAB_SIZE - 1))],
    ['a', 1 + (0xe40c292c % (VOCAB_SIZE - 1))],
    ['', 1 + (0x811c9dc5 % (VOCAB_SIZE - 1))],
  ])('%j → bucket %d', (token, expected) => {
    expect(tokenId(token)).toBe(expected);
  });

  it('never returns the padding id and stays inside the vocabulary', () => {
    for (let i = 0; i < 5000; i++) {
      const id = tokenId(`tok${i}`);
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThan(VOCAB_SIZE);
    }
  });
});

describe('tokenCountBound', () => {
  it.each([
    ['Hello, World!', 2],
    ['', 0],
    ['  ...  ', 0],
    ["don't stop", 3],
    ['café', 2],
    ['\u0130stanbul', 2], // İ lowercases to i + U+0307: "i", "stanbul"
    ['\u212Aelvin', 2], // the Kelvin sign lowercases to an ASCII k
    ['😀', 2],
  ])('%j → %d', (text, expected) => {
    expect(tokenCountBound(text)).toBe(expected);
  });

  it('is exact for ASCII text and honours maxTokens', () => {
    expect(tokenCountBound('a '.repeat(MAX_TOKENS + 10))).toBe(MAX_TOKENS);
    expect(tokenCountBound('a b c d e', 3)).toBe(3);
    expect(tokenCountBound('a b', 0)).toBe(0);
  });

  it('is never below the real token count (any Unicode, lone surrogates included)', () => {
    const texts = fc.oneof(
      // any UTF-16 code units: lone surrogates, astral pairs, every BMP letter and mark
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((units) => String.fromCharCode(...units)),
      fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 100 }).map((points) => String.fromCodePoint(...points)),
      fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', '-', 'é', 'İ', '\u212A', 'ß', '東', '\u0301', '\ud83d', '\ude00'), maxLength: 200 }),
    );
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 600 }), (text, maxTokens) => {
        const exact = tokenize(text, maxTokens).length;
        const bound = tokenCountBound(text, maxTokens);
        const ascii = [...text].every((ch) => ch.charCodeAt(0) < 0x80);
        return bound >= exact && bound <= maxTokens && (!ascii || bound === exact);
      }),
      { seed: 20_261_122, numRuns: 500 },
    );
  });
});

describe('writeTokenIds', () => {
  const written = (text: string, maxTokens?: number, offset = 3): number[] => {
    const out = new Int32Array(offset + text.length + 1).fill(-1);
    const count = writeTokenIds(text, out, offset, maxTokens);
    expect([...out.subarray(0, offset)].every((v) => v === -1), 'nothing written before offset').toBe(true);
    expect(out[offset + count], 'nothing written past the count').toBe(-1);
    return [...out.subarray(offset, offset + count)];
  };

  it.each([
    ['Hello, World!'],
    ['FREE $$$ money!!! 100%'],
    ["don't stop"],
    ['MiXeD CaSe 42x 0'],
    ['Ünïcödé ΣΊΣΥΦΟΣ 東京'],
    ['ascii first, then caf\u00e9'],
    ['\u0130stanbul \u212Aelvin'],
    [''],
    ['  ...  '],
  ])('%j: the same ids as tokenIds', (text) => {
    expect(written(text)).toEqual(tokenIds(text));
  });

  it('stops at maxTokens, on the fast and the Unicode path', () => {
    expect(written('a b c d e', 3)).toEqual(tokenIds('a b c d e', 3));
    expect(written('é b c d e', 2)).toEqual(tokenIds('é b c d e', 2));
    expect(written('a b', 0)).toEqual([]);
  });

  it('equals tokenIds for any text (ASCII-heavy and any Unicode, lone surrogates included)', () => {
    const texts = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'Z', 'q', '9', '0', ' ', '-', "'", '.', '\n', '_'), maxLength: 300 }),
      fc.string({ unit: 'binary-ascii', maxLength: 300 }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((units) => String.fromCharCode(...units)),
      fc.string({ unit: fc.constantFrom('a', 'Z', ' ', 'é', 'İ', '\u212A', 'Σ', 'ß', '東', '\u0301', '\ud83d', '\ude00'), maxLength: 200 }),
    );
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 600 }), (text, maxTokens) => {
        expect(written(text, maxTokens)).toEqual(tokenIds(text, maxTokens));
      }),
      { seed: 20_261_201, numRuns: 1000 },
    );
  });
});
