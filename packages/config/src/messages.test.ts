import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closest, describeValue, formatPath, withValue } from './errors.js';
import { readEnv, type EnvVar } from './env.js';
import { NO_VALUE, PARSE_PARAMS, toConfigIssues } from './zod-issues.js';

/**
 * The wording of every config error, checked at the unit that produces it: zod issues in the
 * house style (`must be > 0, got 0`), value rendering, paths, "did you mean", and env coercion.
 */
const messages = (schema: z.ZodType, input: unknown): string[] => {
  const result = schema.safeParse(input, PARSE_PARAMS);
  if (result.success) return [];
  return toConfigIssues(result.error.issues, 'cfg').map((i) => `${i.path}: ${i.message}`);
};

describe('zod issues in the house style', () => {
  it.each<[string, z.ZodType, unknown, string[]]>([
    ['missing', z.object({ a: z.number() }), {}, ['cfg.a: is required']],
    ['wrong type', z.object({ a: z.number() }), { a: 'x' }, ['cfg.a: must be a number, got "x"']],
    ['integer', z.int(), 1.5, ['cfg: must be an integer, got 1.5']],
    ['a type without an article', z.bigint(), 'x', ['cfg: must be bigint, got "x"']],
    ['inclusive minimum', z.number().min(1), 0, ['cfg: must be >= 1, got 0']],
    ['exclusive minimum', z.number().gt(0), 0, ['cfg: must be > 0, got 0']],
    ['integer minimum', z.int().min(1), 0, ['cfg: must be >= 1, got 0']],
    ['inclusive maximum', z.number().max(10), 11, ['cfg: must be <= 10, got 11']],
    ['exclusive maximum', z.number().lt(10), 10, ['cfg: must be < 10, got 10']],
    ['integer maximum', z.int().max(9), 10, ['cfg: must be <= 9, got 10']],
    ['empty string', z.string().min(1), '', ['cfg: must not be empty, got ""']],
    ['short string', z.string().min(3), 'ab', ['cfg: must be at least 3 characters, got "ab"']],
    ['long string', z.string().max(2), 'abc', ['cfg: must be at most 2 characters, got "abc"']],
    ['string over one character', z.string().max(1), 'ab', ['cfg: must be at most 1 characters, got "ab"']],
    ['empty list', z.array(z.number()).min(1), [], ['cfg: must not be empty, got []']],
    ['short list', z.array(z.number()).min(2), [1], ['cfg: must have at least 2 items, got [1]']],
    ['long list', z.array(z.number()).max(1), [1, 2], ['cfg: must have at most 1 items, got [1,2]']],
    ['enum', z.enum(['a', 'b']), 'c', ['cfg: must be one of a, b, got "c"']],
    ['unknown keys, one issue each, no value', z.strictObject({ a: z.number() }), { a: 1, b: 2, 'c d': 3 }, ['cfg.b: unknown key "b"', 'cfg["c d"]: unknown key "c d"']],
    ['custom message with its value', z.string().refine(() => false, 'is wrong'), 'x', ['cfg: is wrong, got "x"']],
    ['custom message without its value', z.string().refine(() => false, { message: 'is secret', params: NO_VALUE }), 'x', ['cfg: is secret']],
  ])('%s', (_, schema, input, expected) => {
    expect(messages(schema, input)).toEqual(expected);
  });
});

describe('describeValue / withValue', () => {
  it.each<[unknown, string]>([
    [undefined, 'nothing'],
    [0, '0'],
    [10n, '10'],
    ['abc', '"abc"'],
    [true, 'true'],
    [[1, 2], '[1,2]'],
    [Symbol('s'), 'Symbol(s)'],
    ['x'.repeat(78), `"${'x'.repeat(78)}"`], // 80 characters: shown whole
    ['x'.repeat(79), `"${'x'.repeat(78)}…`], // 81: cut to 79 and an ellipsis
  ])('%s → %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('renders a value JSON cannot (a cycle, which YAML aliases can build) by the error, on one line', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(describeValue(cycle)).toBe('<Converting circular structure to JSON>'); // one line: an issue is one line
    expect(withValue('must be a number', cycle)).toBe('must be a number, got <Converting circular structure to JSON>');
    expect(describeValue({ x: 'y'.repeat(100) })).toBe(`{"x":"${'y'.repeat(73)}…`); // long values are cut to 80
  });
});

describe('formatPath', () => {
  it.each<[PropertyKey[], string, string]>([
    [['upstreams', 'default', 'servers', 1, 'weight'], '', 'upstreams.default.servers[1].weight'],
    [['weight'], 'upstreams.default', 'upstreams.default.weight'],
    [['a b'], '', '["a b"]'],
    [[Symbol('s')], 'x', 'x["Symbol(s)"]'],
    [[0], 'list', 'list[0]'],
  ])('%j under %j → %s', (path, base, text) => {
    expect(formatPath(path, base)).toBe(text);
  });
});

describe('closest (did you mean)', () => {
  it.each<[string, string[], string | undefined]>([
    ['weigth', ['weight', 'backup'], 'weight'],
    ['WEIGHT', ['weight'], 'weight'], // case does not count
    ['ab', ['ac', 'ad'], 'ac'], // equally close: the first candidate
    ['abcdef', ['uvwxyz'], undefined], // too far to be a typo
    ['abc', ['abcxyz'], undefined], // three insertions: over the limit of 2
    ['abc', ['abcxy'], 'abcxy'], // two insertions
    ['', ['ab'], 'ab'],
  ])('%s among %j → %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});

describe('readEnv', () => {
  const specs: EnvVar[] = [
    { name: 'PORT', path: ['listen', 'port'], kind: 'number', schema: z.int().min(0).max(65535) },
    { name: 'RATIO', path: ['ratio'], kind: 'number', schema: z.number() },
    { name: 'ON', path: ['on'], kind: 'boolean', schema: z.boolean() },
    { name: 'NAMES', path: ['names'], kind: 'list', schema: z.array(z.string().min(2)) },
    { name: 'NAME', path: ['name'], kind: 'string', schema: z.string() },
  ];

  it('coerces by kind, trims, and treats empty values as unset', () => {
    const { raw, issues } = readEnv({ PORT: ' 8080 ', RATIO: '-0.25', ON: 'Yes', NAMES: ' ab , cd ,, ', NAME: '  ' }, specs);
    expect(issues).toEqual([]);
    expect(raw).toEqual({ listen: { port: 8080 }, ratio: -0.25, on: true, names: ['ab', 'cd'] });
    expect(readEnv({ ON: 'off', RATIO: '+3' }, specs).raw).toEqual({ on: false, ratio: 3 });
  });

  it('reports each variable under its own name with what the user typed', () => {
    const { raw, issues, failed } = readEnv({ PORT: '70000', RATIO: '1.', ON: 'maybe', NAMES: 'ab,c' }, specs);
    expect(raw).toEqual({});
    expect(issues).toEqual([
      { path: 'PORT', message: 'must be <= 65535, got "70000"' },
      { path: 'RATIO', message: 'must be a number, got "1."' },
      { path: 'ON', message: 'must be on or off (or true/false, yes/no, 1/0), got "maybe"' },
      { path: 'NAMES[1]', message: 'must be at least 2 characters, got "c"' },
    ]);
    expect(failed).toEqual(['listen.port', 'ratio', 'on', 'names']);
  });

  it('a number-like value with a sign in the wrong place stays a string', () => {
    expect(readEnv({ PORT: '8-0' }, specs).issues).toEqual([{ path: 'PORT', message: 'must be a number, got "8-0"' }]);
    expect(readEnv({ PORT: '1.50' }, specs).issues).toEqual([{ path: 'PORT', message: 'must be an integer, got "1.50"' }]);
  });
});
