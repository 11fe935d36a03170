import type { IncomingHttpHeaders } from 'node:http';
import { loadBalancerConfig } from '@fleet/config';
import { describe, expect, it } from 'vitest';
import { BalancerError } from '../errors.js';
import type { ClientInfo } from '../forwarded.js';
import {
  clientErrorCode,
  createLimits,
  DEFAULT_MAX_KEYS,
  maxKeysFor,
  serverLimitOptions,
  type LimitsConfig,
  type RateLimitConfig,
} from './index.js';

const DEFAULTS: LimitsConfig = {
  clientMaxBodySize: 1024,
  maxHeaderSize: 16384,
  maxHeaderCount: 100,
  maxRequestLineSize: 8192,
  clientBodyBufferSize: 16384,
  clientBodyMemory: 16 * 1024 * 1024,
  headersTimeoutMs: 10000,
  requestTimeoutMs: 60000,
  keepAliveTimeoutMs: 65000,
  deny: ['/\\.(?!well-known)'],
};
const RATE: RateLimitConfig = { rate: 1, burst: 0, nodelay: false, delay: 0, key: '$binary_remote_addr', status: 429 };

function info(clientIp = '198.51.100.7'): ClientInfo {
  return { clientIp, remoteAddr: clientIp, proto: 'http', host: 'h' };
}

function harness(config: Partial<LimitsConfig> = {}) {
  const clock = { t: 0 };
  const limits = createLimits({ ...DEFAULTS, ...config }, { now: () => clock.t });
  const check = (path: string, headers: IncomingHttpHeaders = {}, ip?: string) =>
    limits.check({ headers, url: path, method: 'GET' }, info(ip), new URL(path, 'http://h'));
  return { clock, check };
}

const codeOf = (r: ReturnType<ReturnType<typeof harness>['check']>) =>
  r instanceof BalancerError ? `${r.code} ${r.status}` : r;

describe('deny patterns (default: dotfiles except /.well-known)', () => {
  const check = (...args: Parameters<ReturnType<typeof harness>['check']>) => harness().check(...args); // built per test, not at collection (Stryker)
  it.each([
    ['/.env', 'NOT_FOUND 404'],
    ['/.git/config', 'NOT_FOUND 404'],
    ['/app/.htaccess', 'NOT_FOUND 404'],
    ['/%2eenv', 'NOT_FOUND 404'],
    ['/.%65nv', 'NOT_FOUND 404'],
    ['/static/%2Egit/HEAD', 'NOT_FOUND 404'],
    ['/a%2F.git', 'NOT_FOUND 404'],
    ['/bad%zz/.x', 'NOT_FOUND 404'],
    ['/.well-known/acme-challenge/t', null],
    ['/predict', null],
    ['/file.env', null],
    ['/a.b/c', null],
  ])('%s → %s', (path, expected) => expect(codeOf(check(path))).toBe(expected));

  it('custom patterns replace the default', () => {
    const custom = harness({ deny: ['^/admin', '\\.php$'] });
    expect([custom.check('/admin/x'), custom.check('/x.php'), custom.check('/.env')].map(codeOf)).toEqual([
      'NOT_FOUND 404',
      'NOT_FOUND 404',
      null,
    ]);
  });
});

describe('Content-Length over clientMaxBodySize', () => {
  it.each([
    [1024, '1025', 'BODY_TOO_LARGE 413'],
    [1024, '1024', null],
    [1024, '0', null],
    [0, '999999999', null],
  ])('limit %d, content-length %s → %s', (clientMaxBodySize, length, expected) => {
    const { check } = harness({ clientMaxBodySize });
    expect(codeOf(check('/p', { 'content-length': length }))).toBe(expected);
  });

  it('413 closes the connection (the body is not drained)', () => {
    const r = harness().check('/p', { 'content-length': '5000' });
    expect(r instanceof BalancerError && r.headers).toEqual({ connection: 'close' });
  });
});

describe('rate limit', () => {
  it('limits per client address and answers Retry-After', () => {
    const { clock, check } = harness({ rateLimit: RATE });
    const got = [check('/p'), check('/p'), check('/p', {}, '203.0.113.1')];
    clock.t = 1000;
    got.push(check('/p'));
    expect(got.map(codeOf)).toEqual([null, 'RATE_LIMITED 429', null, null]);
    expect((got[1] as BalancerError).headers).toEqual({ 'retry-after': '1' });
  });

  it('uses the configured status (limit_req_status)', () => {
    const { check } = harness({ rateLimit: { ...RATE, status: 503 } });
    check('/p');
    expect(codeOf(check('/p'))).toBe('RATE_LIMITED 503');
  });

  it('returns the delay for burst requests without nodelay', () => {
    const { check } = harness({ rateLimit: { ...RATE, rate: 10, burst: 2 } });
    expect([check('/p'), check('/p'), check('/p'), check('/p')].map(codeOf)).toEqual([
      null,
      { delayMs: 100 },
      { delayMs: 200 },
      'RATE_LIMITED 429',
    ]);
  });

  it('keys from the template; an empty key is not limited (NGINX)', () => {
    const { check } = harness({ rateLimit: { ...RATE, key: '$http_x_api_key' } });
    const keyed = { 'x-api-key': 'k1' };
    expect([check('/p'), check('/p'), check('/p', keyed), check('/p', keyed)].map(codeOf)).toEqual([
      null,
      null,
      null,
      'RATE_LIMITED 429',
    ]);
  });

  it('NGINX phase order: 413, then deny, then limit_req; refused requests use no budget', () => {
    const { check } = harness({ rateLimit: RATE });
    expect(
      [check('/.env', { 'content-length': '5000' }), check('/.env'), check('/p', { 'content-length': '5000' }), check('/p'), check('/p')].map(codeOf),
    ).toEqual(['BODY_TOO_LARGE 413', 'NOT_FOUND 404', 'BODY_TOO_LARGE 413', null, 'RATE_LIMITED 429']);
  });

  it.each([
    [undefined, DEFAULT_MAX_KEYS],
    [1024 * 1024, 16384],
    [10, 1],
  ])('zoneSize %s → %d keys', (zoneSize, keys) => expect(maxKeysFor(zoneSize)).toBe(keys));
});

describe('serverLimitOptions', () => {
  it.each([
    {
      name: 'defaults',
      limits: {},
      out: { maxHeaderSize: 16384, headersTimeout: 10000, requestTimeout: 60000, keepAliveTimeout: 65000, connectionsCheckingInterval: 1000 },
    },
    {
      name: 'headersTimeout clamped to requestTimeout',
      limits: { headersTimeoutMs: 20000, requestTimeoutMs: 5000 },
      out: { headersTimeout: 5000, requestTimeout: 5000, connectionsCheckingInterval: 500 },
    },
    {
      name: 'requestTimeout 0 disables it without clamping',
      limits: { headersTimeoutMs: 20000, requestTimeoutMs: 0 },
      out: { headersTimeout: 20000, requestTimeout: 0, connectionsCheckingInterval: 2000 },
    },
    { name: 'interval floor', limits: { headersTimeoutMs: 100, requestTimeoutMs: 200 }, out: { connectionsCheckingInterval: 250 } },
    { name: 'interval ceiling', limits: { headersTimeoutMs: 0, requestTimeoutMs: 0 }, out: { connectionsCheckingInterval: 30000 } },
    { name: 'header size', limits: { maxHeaderSize: 8192 }, out: { maxHeaderSize: 8192 } },
  ])('$name', ({ limits, out }) => {
    expect(serverLimitOptions({ ...DEFAULTS, ...limits })).toMatchObject(out);
  });
});

describe('clientErrorCode', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'REQUEST_TIMEOUT'],
    ['HPE_HEADERS_TIMEOUT', 'REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', 'BAD_REQUEST'],
    ['ECONNRESET', null],
    [undefined, null],
  ])('%s → %s', (code, expected) => expect(clientErrorCode({ code })).toBe(expected));
});

describe('with @fleet/config output', () => {
  it('env RATE_LIMIT/RATE_BURST/CLIENT_MAX_BODY_SIZE and default deny drive the checks', () => {
    const config = loadBalancerConfig({
      env: { UPSTREAMS: '127.0.0.1:8001', RATE_LIMIT: '2r/s', RATE_BURST: '1', CLIENT_MAX_BODY_SIZE: '1k' },
    });
    const clock = { t: 0 };
    const limits = createLimits(config.limits, { now: () => clock.t });
    const check = (path: string, headers: IncomingHttpHeaders = {}) =>
      codeOf(limits.check({ headers, url: path }, info(), new URL(path, 'http://h')));
    expect([
      check('/.env'),
      check('/p', { 'content-length': '1025' }),
      check('/p'),
      check('/p'),
      check('/p'),
    ]).toEqual(['NOT_FOUND 404', 'BODY_TOO_LARGE 413', null, { delayMs: 500 }, 'RATE_LIMITED 429']);
    expect(serverLimitOptions(config.limits)).toEqual({
      maxHeaderSize: 16384,
      headersTimeout: 10000,
      requestTimeout: 60000,
      keepAliveTimeout: 65000,
      connectionsCheckingInterval: 1000,
    });
  });
});
