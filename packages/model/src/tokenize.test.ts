import { describe, expect, it } from 'vitest';
import { MAX_TOKENS, VOCAB_SIZE, fnv1a32, tokenId, tokenize } from './tokenize.js';

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
