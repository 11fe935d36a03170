import { describe, expect, it } from 'vitest';
import { climbsAboveRoot, parseTarget, parseTargetSlowly, splitTarget, UnsafePath } from './request-target.js';

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
    ['/files/a%20b?x=//..', '/files/a%20b', '?x=//..'],
  ])('%s → pathname %s, search %s (same as new URL)', (raw, pathname, search) => {
    expect(splitTarget(raw)).toEqual({ pathname, search });
    expect(viaUrl(raw)).toEqual({ pathname, search });
  });

  it.each([
    '//host/x',
    '/a//b',
    '/api%2f..%2fadmin',
    '/api%2F..',
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
    ['/a/..%2f..%2f..%2fetc/passwd', true],
    ['/a%2F..%2F..', true],
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
    ['/a/..%2fb', false],
    ['/\\..\\..\\etc/passwd', false],
    ['http://h/../x', false],
  ])('%s: %s', (raw, above) => {
    expect(climbsAboveRoot(raw)).toBe(above);
  });
});

describe('parseTarget', () => {
  it('refuses a path above the root (NGINX answers 400) and keeps one that stays under it', () => {
    expect(() => parseTarget('/../../etc/passwd')).toThrow(UnsafePath);
    expect(() => parseTarget('/%2e%2e/x')).toThrow('climbs above the root');
    expect(() => parseTarget('/a/..%2f..%2f..%2fetc/passwd')).toThrow('climbs above the root');
    expect(parseTarget('/a/../b').pathname).toBe('/b');
  });

  it('refuses an absolute-form target NGINX refuses: a path above the root, an invalid host', () => {
    expect(() => parseTarget('http://h/../x')).toThrow('climbs above the root');
    expect(() => parseTarget('http://h/a/..%2f..%2fx')).toThrow('climbs above the root');
    expect(() => parseTarget('http://a..b/x')).toThrow('invalid host');
    expect(() => parseTarget('http:///x')).toThrow('invalid host');
    expect(parseTarget('http://h//health?q')).toEqual({ pathname: '/health', search: '?q' });
    expect(parseTarget('HTTPS://api.example:8443/a/../b').pathname).toBe('/b');
  });

  it.each([
    // a leading `//` is an empty segment, not an authority: new URL() made `//admin` host "admin", path "/"
    ['//admin/x', '/admin/x', ''],
    ['//health', '/health', ''],
    ['//a//b///c?d=//e', '/a/b/c', '?d=//e'],
    ['/a//b', '/a/b', ''],
    ['/a/.//b', '/a/b', ''],
    // `\` is a character of a segment (NGINX on Unix), not a `/`: new URL() made this `/etc/passwd`
    ['/\\..\\..\\etc/passwd', '/%5C..%5C..%5Cetc/passwd', ''],
    ['/a\\b?c\\d', '/a%5Cb', '?c\\d'],
    // an escaped slash in a plain segment stays as it is
    ['/files/a%2Fb.txt', '/files/a%2Fb.txt', ''],
    ['/files/a%2f..b', '/files/a%2f..b', ''],
  ])('reads %s as NGINX does: pathname %s, search %s', (raw, pathname, search) => {
    const t = parseTarget(raw);
    expect({ pathname: t.pathname, search: t.search }).toEqual({ pathname, search });
  });

  it.each(['/api/..%2Fadmin', '/api%2f..%2fadmin', '/a/.%2fb', '/a%2F.', '/a/b%2f%2E%2e%2fc'])(
    'refuses %s: a dot segment made with an escaped slash (400), which an upstream could resolve past a rule',
    (raw) => {
      expect(() => parseTarget(raw)).toThrow('escaped slash');
    },
  );

  it.each(['/', '/predict?x=1', '/a/../b', '/a#f', "/q?'", '/a b', 'http://h/x?y', '/.well-known/a'])(
    'gives what new URL() gives for %s (nothing of the rules above in it)',
    (raw) => {
      const t = parseTarget(raw);
      expect({ pathname: t.pathname, search: t.search }).toEqual(viaUrl(raw));
    },
  );

  it('takes the fast path only where it agrees with the full parse, on every short target over a mixed alphabet', () => {
    const alphabet = ['/', '.', '?', '%', '2', 'e', 'f', 'a', "'", '#', '\\', ' '];
    const outcome = (parse: () => { pathname: string; search: string }): object => {
      try {
        const t = parse();
        return { pathname: t.pathname, search: t.search };
      } catch (err) {
        return { threw: err instanceof UnsafePath ? err.message : (err as { code?: string }).code };
      }
    };
    let fast = 0;
    const check = (raw: string): void => {
      const plain = splitTarget(raw);
      if (plain !== undefined) fast += 1;
      const slow = outcome(() => parseTargetSlowly(raw));
      expect({ raw, ...outcome(() => parseTarget(raw)) }).toEqual({ raw, ...slow });
      // what the rules do not touch is what new URL() gives
      const viaWhatwg = outcome(() => viaUrl(raw));
      if (!/\/\/|\\|%2f|\.|%2e/i.test(raw.split(/[?#]/)[0] as string)) expect({ raw, ...slow }).toEqual({ raw, ...viaWhatwg });
      // the path never keeps an empty segment, and never a dot segment
      if ('pathname' in slow) expect((slow as { pathname: string }).pathname).not.toMatch(/\/\/|(^|\/|%2f)(\.|%2e){1,2}(\/|%2f|$)/i);
    };
    const grow = (prefix: string, depth: number): void => {
      check(prefix);
      if (depth === 0) return;
      for (const c of alphabet) grow(prefix + c, depth - 1);
    };
    grow('/', 4);
    expect(fast).toBeGreaterThan(1000);
  });
});
