import { describe, expect, it } from 'vitest';
import { errorOf } from '../test/tmp-dir.js';
import { parseUpstreamLine, parseUpstreams } from './upstreams.js';

const NGINX_DEFAULTS = {
  weight: 1,
  maxFails: 1,
  failTimeoutMs: 10_000,
  backup: false,
  down: false,
  maxConns: 0,
  slowStartMs: 0,
};

describe('parseUpstreamLine', () => {
  it('uses NGINX defaults: weight=1 max_fails=1 fail_timeout=10s', () => {
    expect(parseUpstreamLine('127.0.0.1:8001')).toEqual({ address: '127.0.0.1:8001', ...NGINX_DEFAULTS });
  });

  it.each([
    ['weight=5', { weight: 5 }],
    ['max_fails=3', { maxFails: 3 }],
    ['max_fails=0', { maxFails: 0 }],
    ['fail_timeout=30s', { failTimeoutMs: 30_000 }],
    ['fail_timeout=30', { failTimeoutMs: 30_000 }],
    ['fail_timeout=500ms', { failTimeoutMs: 500 }],
    ['backup', { backup: true }],
    ['down', { down: true }],
    ['max_conns=10', { maxConns: 10 }],
    ['slow_start=30s', { slowStartMs: 30_000 }],
    ['resolve', {}],
    ['weight=5 max_fails=3 fail_timeout=30s backup', { weight: 5, maxFails: 3, failTimeoutMs: 30_000, backup: true }],
  ])('reads %s', (params, expected) => {
    expect(parseUpstreamLine(`127.0.0.1:8001 ${params}`)).toEqual({
      address: '127.0.0.1:8001',
      ...NGINX_DEFAULTS,
      ...expected,
    });
  });

  it.each([
    ['127.0.0.1:8001', '127.0.0.1:8001'],
    ['model-server:8000', 'model-server:8000'],
    ['model_server_1:8000', 'model_server_1:8000'],
    ['localhost', 'localhost:80'],
    ['[::1]:8002', '[::1]:8002'],
    ['[::1]', '[::1]:80'],
    ['  10.0.0.1:9000   weight=2 ', '10.0.0.1:9000'],
  ])('normalizes the address %j → %s', (line, address) => {
    expect(parseUpstreamLine(line).address).toBe(address);
  });

  it.each([
    ['127.0.0.1:8001 wieght=5', 'server: unknown parameter "wieght" (did you mean "weight"?), got "127.0.0.1:8001 wieght=5"'],
    ['127.0.0.1:8001 service=x', 'server: unknown parameter "service" (known: weight, max_fails, max_conns, fail_timeout, slow_start, backup, down, resolve), got "127.0.0.1:8001 service=x"'],
    ['127.0.0.1:8001 backup=1', 'server: parameter "backup" takes no value, got "127.0.0.1:8001 backup=1"'],
    ['127.0.0.1:8001 weight', 'server: parameter "weight" needs a value (weight=...), got "127.0.0.1:8001 weight"'],
    ['127.0.0.1:8001 weight=2 weight=3', 'server: parameter "weight" is given twice, got "127.0.0.1:8001 weight=2 weight=3"'],
    ['weight=2', 'server: must start with the server address (host:port), got "weight=2"'],
    ['', 'server: must be a server line like "host:port weight=2", got ""'],
    ['127.0.0.1:8001 weight=0', 'server.weight: must be > 0, got 0'],
    ['127.0.0.1:8001 weight=-1', 'server.weight: must be > 0, got -1'],
    ['127.0.0.1:8001 weight=abc', 'server.weight: must be a number, got "abc"'],
    ['127.0.0.1:8001 max_fails=-1', 'server.maxFails: must be >= 0, got -1'],
    ['127.0.0.1:8001 max_conns=x', 'server.maxConns: must be a number, got "x"'],
    ['127.0.0.1:8001 fail_timeout=soon', 'server.failTimeoutMs: must be a duration like "10s", "500ms", "1m" (a bare number string means seconds), got "soon"'],
    ['127.0.0.1:8001 slow_start=1x', 'server.slowStartMs: must be a duration like "10s", "500ms", "1m" (a bare number string means seconds), got "1x"'],
    ['127.0.0.1:99999', 'server.address: port must be an integer 1..65535, got "127.0.0.1:99999"'],
    ['127.0.0.1:0', 'server.address: port must be an integer 1..65535, got "127.0.0.1:0"'],
    ['::1:8000', 'server.address: must be "host:port" (IPv6 in brackets: "[::1]:8000"), got "::1:8000"'],
    ['bad host:1', 'server: unknown parameter "host:1" (known: weight, max_fails, max_conns, fail_timeout, slow_start, backup, down, resolve), got "bad host:1"'],
    ['exa mple', 'server: unknown parameter "mple" (known: weight, max_fails, max_conns, fail_timeout, slow_start, backup, down, resolve), got "exa mple"'],
    ['-bad-:80', 'server.address: must be "host:port" (IPv6 in brackets: "[::1]:8000"), got "-bad-:80"'],
  ])('rejects %j', (line, message) => {
    const error = errorOf(() => parseUpstreamLine(line));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(message);
  });

  it('lists every problem of one line', () => {
    expect(errorOf(() => parseUpstreamLine('h:1 wieght=2 down=yes', 'UPSTREAMS[0]')).message).toBe(
      [
        'UPSTREAMS[0]: unknown parameter "wieght" (did you mean "weight"?), got "h:1 wieght=2 down=yes"',
        'UPSTREAMS[0]: parameter "down" takes no value, got "h:1 wieght=2 down=yes"',
      ].join('\n'),
    );
  });
});

describe('parseUpstreams', () => {
  it('reads the issue example', () => {
    const servers = parseUpstreams(
      '127.0.0.1:8001 weight=5 max_fails=3 fail_timeout=30s, 127.0.0.1:8002, 127.0.0.1:8003 backup',
    );
    expect(servers).toEqual([
      { ...NGINX_DEFAULTS, address: '127.0.0.1:8001', weight: 5, maxFails: 3, failTimeoutMs: 30_000 },
      { ...NGINX_DEFAULTS, address: '127.0.0.1:8002' },
      { ...NGINX_DEFAULTS, address: '127.0.0.1:8003', backup: true },
    ]);
  });

  it('ignores empty items (a trailing comma)', () => {
    expect(parseUpstreams('a:1,, b:2 ,').map((s) => s.address)).toEqual(['a:1', 'b:2']);
  });

  it('reports every bad line with its index', () => {
    const error = errorOf(() => parseUpstreams('a:1 weight=0, b:2, c:3 max_conn=1'));
    expect(error.message).toBe(
      [
        'UPSTREAMS[0].weight: must be > 0, got 0',
        'UPSTREAMS[2]: unknown parameter "max_conn" (did you mean "max_conns"?), got "c:3 max_conn=1"',
      ].join('\n'),
    );
    expect(error.issues).toEqual([
      { path: 'UPSTREAMS[0].weight', message: 'must be > 0, got 0' },
      { path: 'UPSTREAMS[2]', message: 'unknown parameter "max_conn" (did you mean "max_conns"?), got "c:3 max_conn=1"' },
    ]);
  });

  it('needs at least one server', () => {
    expect(errorOf(() => parseUpstreams(' , ')).message).toBe('UPSTREAMS: must list at least one server, got " , "');
  });
});
