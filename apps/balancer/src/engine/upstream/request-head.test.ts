import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serialiseHead } from './request-head.js';

const NONE = { kind: 'none' } as const;

describe('serialiseHead: header injection refused', () => {
  it.each([
    ['a CR in a value', { 'x-a': 'ok', 'x-b': 'bad\rvalue' }, 'x-b'],
    ['an LF in a value', { 'x-b': 'bad\nx-evil: 1' }, 'x-b'],
    ['a NUL in a value', { 'x-b': 'bad\0' }, 'x-b'],
    ['a CRLF in one element of a repeated header', { 'set-cookie': ['a=1', 'b=2\r\nx: y'], 'x-c': 'ok' }, 'set-cookie'],
  ])('%s: UND_ERR_INVALID_ARG naming the header', (_, headers, name) => {
    expect(() => serialiseHead('GET', '/', headers, NONE, 'peer')).toThrow(
      expect.objectContaining({ code: 'UND_ERR_INVALID_ARG', message: `invalid value of header ${name} for the upstream request` }),
    );
  });

  it.each(['/a\r\nx: y', '/a b', '/\0'])('refuses the request target %j', (path) => {
    expect(() => serialiseHead('GET', path, {}, NONE, 'peer')).toThrow(expect.objectContaining({ code: 'UND_ERR_INVALID_ARG', message: 'invalid request target for the upstream request' }));
  });

  it('writes every value as given when none has CR, LF or NUL, and refuses exactly the heads that have one', () => {
    const value = fc.string({ unit: fc.constantFrom('a', ' ', '\t', ':', '\r', '\n', '\0', 'é'), maxLength: 6 });
    const headers = fc.dictionary(fc.constantFrom('x-a', 'x-b', 'set-cookie'), fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 })));
    fc.assert(
      fc.property(headers, (h) => {
        const values = Object.values(h).flat();
        const bad = values.some((v) => /[\r\n\0]/.test(v));
        if (bad) {
          expect(() => serialiseHead('GET', '/', h, NONE, 'peer')).toThrow(expect.objectContaining({ code: 'UND_ERR_INVALID_ARG' }));
          return;
        }
        const { head } = serialiseHead('GET', '/', h, NONE, 'peer');
        for (const [name, v] of Object.entries(h)) for (const one of [v].flat()) expect(head).toContain(`\r\n${name}: ${one}\r\n`);
      }),
      { numRuns: 300 },
    );
  });
});
