import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deepFreeze, deepMerge, isPlainObject, setPath } from './objects.js';
import { checkAddressOrCidr, duration, host, isHostname, strict } from './schema/fields.js';
import { normalizeAddress } from './schema/server.js';
import { tokenizeServerLine } from './server-line.js';
import { tryParseDuration, tryParseRate, tryParseSize } from './units.js';
import { PARSE_PARAMS, toConfigIssues } from './zod-issues.js';

/** The shared field schemas and helpers, at their own level: what they accept, and the words of what they refuse. */
const messages = (schema: z.ZodType, input: unknown): string[] => {
  const result = schema.safeParse(input, PARSE_PARAMS);
  return result.success ? [] : toConfigIssues(result.error.issues).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
};

describe('strict objects', () => {
  const schema = strict({ weight: z.number(), backup: z.boolean() });

  it('names the meant key for each unknown one, or lists the allowed keys', () => {
    expect(messages(schema, { weight: 1, backup: true, wieght: 2, zzz: 3 })).toEqual([
      'wieght: unknown key "wieght" (did you mean "weight"?)',
      'zzz: unknown key "zzz" (allowed: weight, backup)',
    ]);
  });

  it('leaves every other issue to the house wording', () => {
    expect(messages(schema, 'x')).toEqual(['must be an object (mapping), got "x"']);
  });
});

describe('hosts', () => {
  const name253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  it.each<[string, boolean]>([
    ['model-server', true],
    ['example.com.', true], // a trailing dot is the root
    [name253, true],
    [`${name253}.`, true],
    [`${name253}d`, false], // 254 characters
    ['x-.', false], // a label cannot end with "-", trailing dot or not
    ['-x', false],
    ['', false],
    ['.', false],
    ['a..b', false],
    ['under_score', true],
  ])('isHostname(%j) → %s', (name, expected) => {
    expect(isHostname(name)).toBe(expected);
  });

  it('host takes IP addresses (v4 and v6) and hostnames, nothing else', () => {
    expect(messages(host, '::1')).toEqual([]);
    expect(messages(host, '10.0.0.1')).toEqual([]);
    expect(messages(host, 'model-server')).toEqual([]);
    expect(messages(host, 'bad host')).toEqual(['must be an IP address or a hostname, got "bad host"']);
  });
});

describe('unit fields (duration, size, rate)', () => {
  const schema = z.object({ t: duration(), p: duration({ positive: true }).optional() });

  it('say "is required" when missing and give the hint for a wrong type', () => {
    expect(messages(schema, {})).toEqual(['t: is required']);
    expect(messages(schema, { t: true })).toEqual([
      't: must be a duration like "10s", "500ms", "1m" (a bare number string means seconds), got true',
    ]);
  });

  it('refuse 0 where the value must be positive', () => {
    expect(messages(schema, { t: 0, p: '0s' })).toEqual(['p: must be > 0, got "0s"']);
  });

  it.each([
    [tryParseDuration, true],
    [tryParseSize, null],
    [tryParseRate, {}],
  ])('%o refuses a value that is neither a number nor a string without throwing', (parse, input) => {
    expect(parse(input)).toMatchObject({ ok: false });
  });

  it('trim strings, take 0 bytes, anchor their patterns at both ends', () => {
    expect(tryParseSize(0)).toEqual({ ok: true, value: 0 });
    expect(tryParseSize(' 1k ')).toEqual({ ok: true, value: 1024 });
    expect(tryParseRate(' 10r/s ')).toEqual({ ok: true, value: 10 });
    expect(tryParseRate('100 r/s')).toEqual({ ok: true, value: 100 });
    expect(tryParseRate('1.25r/s')).toEqual({ ok: true, value: 1.25 });
    for (const bad of ['x100r/s', '100r/sx', '1m30']) {
      expect((bad.includes('r/') ? tryParseRate : tryParseDuration)(bad)).toMatchObject({ ok: false });
    }
  });
});

describe('checkAddressOrCidr', () => {
  it.each<[string, string | undefined]>([
    ['10.0.0.0/8', undefined],
    ['::1/128', undefined],
    ['10.0.0.1', undefined],
    ['10.0.0.0/33', 'CIDR prefix must be 0..32'],
    ['::/129', 'CIDR prefix must be 0..128'],
    ['10.0.0.0/x8', 'CIDR prefix must be 0..32'],
    ['10.0.0.0/8x', 'CIDR prefix must be 0..32'],
    ['10.0.0.0/8/8', 'must be an IP address or CIDR like "10.0.0.0/8"'],
    ['nope/8', 'must be an IP address or CIDR like "10.0.0.0/8"'],
  ])('%s → %s', (value, expected) => {
    expect(checkAddressOrCidr(value)).toBe(expected);
  });
});

describe('normalizeAddress (server addresses, NGINX style)', () => {
  const HINT = 'must be "host:port" (IPv6 in brackets: "[::1]:8000")';
  const PORT = 'port must be an integer 1..65535';
  it.each<[string, string]>([
    ['model-server', 'model-server:80'],
    ['10.0.0.1:8000', '10.0.0.1:8000'],
    ['[::1]:8000', '[::1]:8000'],
    ['[::1]', '[::1]:80'],
    ['host:65535', 'host:65535'],
  ])('%s → %s', (address, value) => {
    expect(normalizeAddress(address)).toEqual({ ok: true, value });
  });

  it.each<[string, string]>([
    ['[1.2.3.4]:80', HINT], // brackets are for IPv6
    ['x[::1]:80', HINT],
    ['[::1]x', HINT],
    ['a:b:c', HINT], // an IPv6 address needs brackets
    ['bad host:80', HINT],
    ['host:65536', PORT],
    ['host:0', PORT],
    ['host:+80', PORT],
    ['host:80x', PORT],
    ['host:', PORT],
  ])('%s is refused: %s', (address, message) => {
    expect(normalizeAddress(address)).toEqual({ ok: false, message });
  });
});

describe('server lines', () => {
  it('reads integer parameters as numbers only when the whole value is an integer', () => {
    expect(tokenizeServerLine('a:80 weight=2 max_fails=-1')).toMatchObject({ ok: true, raw: { weight: 2, maxFails: -1 } });
    expect(tokenizeServerLine('a:80 weight=2x')).toMatchObject({ ok: true, raw: { weight: '2x' } });
    expect(tokenizeServerLine('a:80 weight=x2')).toMatchObject({ ok: true, raw: { weight: 'x2' } });
  });
});

describe('plain objects', () => {
  it('isPlainObject: object literals and null-prototype objects only', () => {
    expect([{}, Object.create(null), [], null, new Date(0), 'x'].map(isPlainObject)).toEqual([true, true, false, false, false, false]);
  });

  it('deepMerge: undefined keeps the base, objects merge, anything else replaces', () => {
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 });
    expect(deepMerge({ a: { b: 1, c: 2 } }, { a: { c: 3 } })).toEqual({ a: { b: 1, c: 3 } });
    expect(deepMerge({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
  });

  it('setPath: creates objects on the way, replaces non-objects, ignores an empty path', () => {
    const target: Record<string, unknown> = { a: 5 };
    setPath(target, ['a', 'b'], 1);
    setPath(target, [], 2);
    expect(target).toEqual({ a: { b: 1 } });
  });

  it('deepFreeze: freezes nested objects and arrays, leaves primitives alone', () => {
    const value = deepFreeze({ a: { b: [1, { c: 2 }] }, s: 'x', n: null });
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
  });
});
