import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serialiseResponseHead, type HeadContext } from './response-head.js';

const CTX: HeadContext = { method: 'GET', http11: true, keepAlive: true, keepAliveSeconds: 0 };

describe('serialiseResponseHead: values with control bytes refused', () => {
  it.each([
    ['a CR', { 'x-a': 'ok', 'x-b': 'a\rb' }, 'x-b'],
    ['an LF', { 'x-b': 'a\nx-evil: 1' }, 'x-b'],
    ['a NUL', { 'x-b': 'a\0' }, 'x-b'],
    ['a DEL', { 'x-b': 'a\x7f' }, 'x-b'],
    ['a control byte in one element of a repeated header', { 'set-cookie': ['a=1', 'b=\x01'], 'x-c': 'ok' }, 'set-cookie'],
    ['a bad value after a connection header (never written, so never named)', { connection: 'a\rb', 'x-d': '\n' }, 'x-d'],
  ])('%s: ERR_INVALID_CHAR naming the header', (_, headers, name) => {
    expect(() => serialiseResponseHead(200, headers, CTX)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_CHAR', message: `invalid character in the value of response header ${name}` }),
    );
  });

  it('writes every value as given when all are valid, and refuses exactly the heads with a control byte', () => {
    const value = fc.string({ unit: fc.constantFrom('a', ' ', '\t', '\x7e', '\x80', '\xff', '\r', '\n', '\0', '\x1f', '\x7f'), maxLength: 6 });
    const headers = fc.dictionary(fc.constantFrom('x-a', 'x-b', 'set-cookie', 'content-length'), fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })));
    fc.assert(
      fc.property(headers, (h) => {
        const bad = Object.values(h).flat().some((v) => /[^\t\x20-\x7e\x80-\xff]/.test(v));
        if (bad) {
          expect(() => serialiseResponseHead(200, h, CTX)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CHAR' }));
          return;
        }
        const { text } = serialiseResponseHead(200, h, CTX);
        for (const [name, v] of Object.entries(h)) for (const one of [v].flat()) expect(text).toContain(`\r\n${name}: ${one}\r\n`);
      }),
      { numRuns: 300 },
    );
  });

  it('writes a number value as its decimal text', () => {
    expect(serialiseResponseHead(200, { 'content-length': 12 }, CTX).text).toContain('\r\ncontent-length: 12\r\n');
  });
});
