import { describe, expect, it } from 'vitest';
import { parseTarget, splitTarget } from './request-target.js';

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

describe('parseTarget', () => {
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
