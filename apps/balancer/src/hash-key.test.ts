import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ClientInfo } from './forwarded.js';
import { compileHashKey, findPair, HASH_KEY_ERRORS } from './hash-key.js';

const INFO: ClientInfo = { clientIp: '198.51.100.7', remoteAddr: '10.0.0.1', proto: 'https', host: 'pub.test' };

function evaluate(template: string, rawUrl: string, headers: IncomingHttpHeaders = {}, method = 'GET'): string {
  const url = new URL(rawUrl, 'http://localhost');
  return compileHashKey(template)({ headers, url: rawUrl, method }, INFO, url);
}

describe('compileHashKey', () => {
  const headers: IncomingHttpHeaders = {
    host: 'API.Example.test:8080',
    'x-user-id': 'u-42',
    cookie: 'theme=dark; Session=abc%20def; other=1',
    'user-agent': 'k6',
  };
  const cases: [template: string, url: string, expected: string][] = [
    ['$remote_addr', '/', '198.51.100.7'],
    ['$binary_remote_addr', '/', '198.51.100.7'],
    ['$request_uri', '/a/b?x=1&y=%20', '/a/b?x=1&y=%20'],
    ['$uri', '/a/%62/../c%20d?x=1', '/a/c d'],
    ['$uri', '/bad%zzescape', '/bad%zzescape'],
    ['$args', '/p?x=1&y=%20', 'x=1&y=%20'],
    ['$query_string', '/p?b=2', 'b=2'],
    ['$is_args$args', '/p', ''],
    ['$is_args$args', '/p?q', '?q'],
    ['$host', '/', 'api.example.test'],
    ['$scheme', '/', 'https'],
    ['$request_method', '/', 'GET'],
    ['$http_x_user_id', '/', 'u-42'],
    ['$http_X_USER_ID', '/', 'u-42'],
    ['$http_missing', '/', ''],
    ['$cookie_session', '/', 'abc%20def'],
    ['$cookie_theme', '/', 'dark'],
    ['$cookie_nope', '/', ''],
    ['$arg_user', '/p?a=1&USER=bob&user=alice', 'bob'],
    ['$arg_v', '/p?v=%2Fx', '%2Fx'],
    ['$arg_missing', '/p?a=1', ''],
    ['user:$http_x_user_id:$remote_addr', '/', 'user:u-42:198.51.100.7'],
    ['${http_x_user_id}suffix', '/', 'u-42suffix'],
    ['constant', '/', 'constant'],
    ['', '/', ''],
    ['$uri$is_args$args', '/x?y=1', '/x?y=1'],
  ];
  it.each(cases)('%s on %s → %j', (template, url, expected) => {
    expect(evaluate(template, url, headers)).toBe(expected);
  });

  it('joins repeated header values', () => {
    expect(evaluate('$http_x_multi', '/', { 'x-multi': ['a', 'b'] })).toBe('a, b');
  });

  it('$host without Host uses HTTP/2 :authority, IPv6 keeps brackets', () => {
    expect(evaluate('$host', '/', { ':authority': 'h2.test:443' })).toBe('h2.test');
    expect(evaluate('$host', '/', { host: '[::1]:8080' })).toBe('[::1]');
  });

  it('different clients give different keys; the same client the same key', () => {
    const fn = compileHashKey('$remote_addr');
    const url = new URL('http://x/');
    const a = fn({ headers: {} }, { ...INFO, clientIp: '1.1.1.1' }, url);
    const b = fn({ headers: {} }, { ...INFO, clientIp: '2.2.2.2' }, url);
    expect([a, b, fn({ headers: {} }, { ...INFO, clientIp: '1.1.1.1' }, url)]).toEqual(['1.1.1.1', '2.2.2.2', '1.1.1.1']);
  });

  it.each(['$nope', '$http_', '$cookie_', 'a$', '$ at', '${unclosed'])('rejects %j at compile time', (template) => {
    expect(() => compileHashKey(template)).toThrow(expect.objectContaining({ code: HASH_KEY_ERRORS.HASH_KEY_INVALID }));
  });
});

describe('findPair', () => {
  it.each([
    ['a=1; b=2', ';', 'b', '2'],
    ['a=1; b=2', ';', 'B', '2'],
    ['a=1;b', ';', 'b', ''],
    ['x=1=2', '&', 'x', '1=2'],
    ['', '&', 'x', ''],
  ])('findPair(%j, %j, %j) = %j', (list, sep, name, out) => expect(findPair(list, sep, name)).toBe(out));
});
