import { describe, expect, it } from 'vitest';
import { climbsAboveRoot, parseTarget, PathAboveRoot, splitTarget } from './request-target.js';

const viaUrl = (raw: string): { pathname: string; search: string } => {
  const u = new URL(raw, 'http://balancer.invalid');
  return { pathname: u.pathname, search: u.search };
};

describe('splitTarget', () => {
  it.each([
    ['/', '/', ''],
    ['/predict', '/predict', ''],
    ['/v2/models/x/infer?a=1&b=two', '/v2/models/x/infer', '?a=1&b=two'],
    ['/a?', '/a', ''],
    ['/a??b?c', '/a', '??b?c'],
    ['/static/app.min.js', '/static/app.min.js', ''],
    ['/a/b%20c?q=%2e', '/a/b%20c', '?q=%2e'],
    ['/a//b', '/a//b', ''],
  ])('%s → pathname %s, search %s (same as new URL)', (raw, pathname, search) => {
    expect(splitTarget(raw)).toEqual({ pathname, search });
    expect(viaUrl(raw)).toEqual({ pathname, search });
  });

  it.each([
    '//host/x',
    '/a/../b',
    '/a/./b',
    '/a/%2e%2e/b',
    '/a/%2E/b',
    '/.well-known/x',
    '/a\\b',
    '/a b',
    '/a#frag',
    "/a?b='c'",
    '/a"b',
    '/a{b}',
    '/a^b',
    '/a`b',
    '/é',
    'http://other.example/x?y',
    '*',
  ])('%s needs the WHATWG parser', (raw) => {
    expect(splitTarget(raw)).toBeUndefined();
  });
});

describe('climbsAboveRoot', () => {
  it.each([
    ['/..', true],
    ['/../etc/passwd', true],
    ['/a/../../b', true],
    ['/a/%2e%2e/%2E%2e/b', true],
    ['/a/.%2e/.%2E', true],
    ['/a/%2e./..', true],
    ['//a/../..', true],
    ['/./..', true],
    ['/a/..', false],
    ['/a/b/../../c', false],
    ['/a//../b', false],
    ['/a/./../b', false],
    ['/a?x=/../../..', false],
    ['/a#/../..', false],
    ['/...', false],
    ['/..a/b', false],
    ['http://h/../x', false],
  ])('%s: %s', (raw, above) => {
    expect(climbsAboveRoot(raw)).toBe(above);
  });
});

describe('parseTarget', () => {
  it('refuses a path above the root (NGINX answers 400) and keeps one that stays under it', () => {
    expect(() => parseTarget('/../../etc/passwd')).toThrow(PathAboveRoot);
    expect(() => parseTarget('/%2e%2e/x')).toThrow('climbs above the root');
    expect(parseTarget('/a/../b').pathname).toBe('/b');
  });

  it.each(['/', '/predict?x=1', '/a/../b', '//host/x', '/a#f', "/q?'", '/a b', 'http://h/x?y', '/.well-known/a'])(
    'gives what new URL() gives for %s',
    (raw) => {
      const t = parseTarget(raw);
      expect({ pathname: t.pathname, search: t.search }).toEqual(viaUrl(raw));
    },
  );

  it('agrees with new URL() on every short target over a mixed alphabet', () => {
    const alphabet = ['/', '.', '?', '%', '2', 'e', 'a', "'", '#', '\\', ' '];
    const outcome = (parse: () => { pathname: string; search: string }): object => {
      try {
        const t = parse();
        return { pathname: t.pathname, search: t.search };
      } catch (err) {
        return { threw: (err as { code?: string }).code };
      }
    };
    const check = (raw: string): void => {
      // a path above the root is refused (NGINX's 400) where the WHATWG parser clamps it at `/`
      if (climbsAboveRoot(raw)) return void expect(() => parseTarget(raw)).toThrow(PathAboveRoot);
      expect({ raw, ...outcome(() => parseTarget(raw)) }).toEqual({ raw, ...outcome(() => viaUrl(raw)) });
    };
    const grow = (prefix: string, depth: number): void => {
      check(prefix);
      if (depth === 0) return;
      for (const c of alphabet) grow(prefix + c, depth - 1);
    };
    grow('/', 4);
  });
});
