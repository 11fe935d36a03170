import { describe, expect, it } from 'vitest';
import { escapeNonAscii } from './ascii.js';

describe('escapeNonAscii (the bundle kept a one-byte string in V8)', () => {
  it('leaves ASCII alone and escapes every other character, astral ones as their two halves', () => {
    expect(escapeNonAscii('const a = 1; // plain')).toBe('const a = 1; // plain');
    expect(escapeNonAscii('// rows × tokens — Wärting 😀')).toBe('// rows \\u00d7 tokens \\u2014 W\\u00e4rting \\ud83d\\ude00');
    expect(escapeNonAscii('x'.repeat(3) + 'é')).toMatch(/^[\x20-\x7e]*$/);
  });

  it('means the same in strings, templates and regexps', () => {
    const src = "const s = 'a×b'; const t = `c—${s}`; const r = /é+/u; [s, t, r.test('éé')]";
    expect(eval(escapeNonAscii(src))).toEqual(eval(src));
  });
});
