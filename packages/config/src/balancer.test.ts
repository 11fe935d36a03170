import { describe, expect, it } from 'vitest';
import { errorOf } from '../test/tmp-dir.js';
import { defaultBalancerConfig, loadBalancerConfig } from './balancer.js';

const SERVER = { weight: 1, maxFails: 1, failTimeoutMs: 10_000, backup: false, down: false, maxConns: 0, slowStartMs: 0 };
const ROUTE = { retryNonIdempotent: false, websocketIdleTimeoutMs: 3_600_000, stripPrefix: false, perTryTimeout: false };

describe('loadBalancerConfig from env', () => {
  it('builds group "default", default routes and every other default from UPSTREAMS alone', () => {
    expect(loadBalancerConfig({ env: { UPSTREAMS: '127.0.0.1:8001, 127.0.0.1:8002 weight=2' } })).toEqual({
      listen: { host: '127.0.0.1', port: 8080, server: 'engine' },
      admin: { host: '127.0.0.1', port: 8081 },
      upstreams: {
        default: {
          strategy: 'round_robin',
          consistent: false,
          servers: [
            { ...SERVER, address: '127.0.0.1:8001' },
            { ...SERVER, address: '127.0.0.1:8002', weight: 2 },
          ],
          keepalive: { connections: 64, idleTimeoutMs: 4000 },
          timeouts: { connectMs: 1000, headersMs: 60_000, bodyIdleMs: 60_000 },
          nextUpstream: { on: ['error', 'timeout', 'http_502', 'http_503', 'http_504'], tries: 3, timeoutMs: 0 },
          healthCheck: {
            enabled: false,
            path: '/health/ready',
            intervalMs: 5000,
            timeoutMs: 1000,
            fails: 1,
            passes: 1,
            expectStatus: 200,
          },
          perTry: { quantile: 0.99, factor: 3, minMs: 250, maxMs: 0, minSamples: 20, hedge: true },
          resolve: { intervalMs: 5000 },
          leastTimeDecayMs: 10_000,
          client: 'engine',
        },
      },
      routes: [
        { ...ROUTE, prefix: '/predict', upstream: 'default', retryNonIdempotent: true, perTryTimeout: true },
        { ...ROUTE, prefix: '/v2/', upstream: 'default', retryNonIdempotent: true, perTryTimeout: true },
        { ...ROUTE, prefix: '/', upstream: 'default' },
      ],
      trustedProxies: [],
      realIpHeader: 'x-forwarded-for',
      limits: {
        clientMaxBodySize: 1024 * 1024,
        maxHeaderSize: 16_384,
        maxHeaderCount: 100,
        maxRequestLineSize: 8192,
        clientBodyBufferSize: 16_384,
        clientBodyMemory: 16 * 1024 * 1024,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 60_000,
        keepAliveTimeoutMs: 65_000,
        deny: ['/\\.(?!well-known)'],
      },
      requestBuffering: true,
      static: [],
      accessLog: { enabled: true, skipPaths: ['/health', '/health/live', '/health/ready'] },
      retryBudget: { ratio: 0.2, minRetries: 3 },
      shutdown: { timeoutMs: 30_000 },
      logLevel: 'info',
    });
  });

  it('needs at least one upstream group', () => {
    const error = errorOf(() => loadBalancerConfig({ env: {} }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      'upstreams: at least one upstream group with servers is required (set UPSTREAMS or a config file)',
    );
  });

  it('reads every env var', () => {
    const config = loadBalancerConfig({
      env: {
        HOST: '0.0.0.0',
        PORT: '0',
        UPSTREAMS: 'a:1, b:2',
        STRATEGY: 'hash',
        HASH_KEY: '$cookie_session',
        ADMIN_HOST: '::1',
        ADMIN_PORT: '0',
        ADMIN_TOKEN: 's3cret',
        TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1, ::1/128',
        RATE_LIMIT: '600r/m',
        RATE_BURST: '20',
        CLIENT_MAX_BODY_SIZE: '10k',
        HEALTH_CHECK: 'on',
        LOG_LEVEL: 'warn',
      },
    });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 0, server: 'engine' });
    expect(config.admin).toEqual({ host: '::1', port: 0, token: 's3cret' });
    expect(config.upstreams['default']).toMatchObject({ strategy: 'hash', hashKey: '$cookie_session' });
    expect(config.upstreams['default']?.healthCheck.enabled).toBe(true);
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', '::1/128']);
    expect(config.limits.rateLimit).toEqual({
      rate: 10,
      burst: 20,
      nodelay: false,
      delay: 0,
      key: '$binary_remote_addr',
      status: 429,
    });
    expect(config.limits.clientMaxBodySize).toBe(10_240);
    expect(config.logLevel).toBe('warn');
  });

  it('lists every bad env var at once', () => {
    const error = errorOf(() =>
      loadBalancerConfig({
        env: {
          PORT: 'abc',
          UPSTREAMS: '127.0.0.1:8001, 127.0.0.1:8002 weight=0, 127.0.0.1:8003 wieght=2',
          STRATEGY: 'fastest',
          ADMIN_PORT: '65536',
          TRUSTED_PROXIES: '10.0.0.0/8, nope',
          RATE_LIMIT: '100',
          HEALTH_CHECK: 'maybe',
        },
      }),
    );
    expect(error.message).toBe(
      [
        'PORT: must be an integer 0..65535, got "abc"',
        'UPSTREAMS[1].weight: must be > 0, got 0',
        'UPSTREAMS[2]: unknown parameter "wieght" (did you mean "weight"?), got "127.0.0.1:8003 wieght=2"',
        'STRATEGY: must be one of round_robin, least_conn, ip_hash, hash, random, random_two, least_time, got "fastest"',
        'ADMIN_PORT: must be an integer 0..65535, got "65536"',
        'TRUSTED_PROXIES[1]: must be an IP address or CIDR like "10.0.0.0/8", got "nope"',
        'RATE_LIMIT: must be a rate like "100r/s" or "600r/m", got "100"',
        'HEALTH_CHECK: must be on or off (or true/false, yes/no, 1/0), got "maybe"',
      ].join('\n'),
    );
  });

  it('needs HASH_KEY with STRATEGY=hash', () => {
    expect(errorOf(() => loadBalancerConfig({ env: { UPSTREAMS: 'a:1', STRATEGY: 'hash' } })).message).toBe(
      'upstreams.default.hashKey: is required when strategy is "hash"',
    );
  });

  it('rejects unknown HASH_KEY variables', () => {
    expect(errorOf(() => loadBalancerConfig({ env: { UPSTREAMS: 'a:1', STRATEGY: 'hash', HASH_KEY: '$remote_adr' } })).message).toBe(
      'HASH_KEY: unknown variable "$remote_adr" (known: $remote_addr, $binary_remote_addr, $request_uri, $uri, $args, $query_string, $is_args, $host, $scheme, $request_method, $http_<name>, $cookie_<name>, $arg_<name>), got "$remote_adr"',
    );
  });

  it('refuses backup servers with ip_hash and hash, like NGINX', () => {
    expect(errorOf(() => loadBalancerConfig({ env: { UPSTREAMS: 'a:1, b:2 backup', STRATEGY: 'ip_hash' } })).message).toBe(
      'upstreams.default.servers[1].backup: cannot be used with strategy "ip_hash" (NGINX: backup is not supported by hash and ip_hash)',
    );
    expect(loadBalancerConfig({ env: { UPSTREAMS: 'a:1, b:2 backup', STRATEGY: 'least_conn' } }).upstreams['default']?.servers[1]?.backup).toBe(true);
  });

  it('says when STRATEGY, HASH_KEY or RATE_BURST have nothing to apply to', () => {
    expect(errorOf(() => loadBalancerConfig({ env: { STRATEGY: 'least_conn', HASH_KEY: '$uri', RATE_BURST: '5' } })).message).toBe(
      [
        'STRATEGY: applies to upstream group "default", which is not defined (set UPSTREAMS or upstreams.default in the config file)',
        'HASH_KEY: applies to upstream group "default", which is not defined (set UPSTREAMS or upstreams.default in the config file)',
        'RATE_BURST: needs a rate (set RATE_LIMIT or limits.rateLimit.rate in the config file)',
        'upstreams: at least one upstream group with servers is required (set UPSTREAMS or a config file)',
      ].join('\n'),
    );
  });

  it('reports only the bad value when an env var with a target is itself invalid', () => {
    expect(errorOf(() => loadBalancerConfig({ env: { UPSTREAMS: 'a:1', RATE_BURST: 'x', STRATEGY: 'nope' } })).message).toBe(
      [
        'STRATEGY: must be one of round_robin, least_conn, ip_hash, hash, random, random_two, least_time, got "nope"',
        'RATE_BURST: must be a number, got "x"',
      ].join('\n'),
    );
    expect(errorOf(() => loadBalancerConfig({ env: { UPSTREAMS: 'a:1', RATE_LIMIT: 'lots', RATE_BURST: '5' } })).message).toBe(
      'RATE_LIMIT: must be a rate like "100r/s" or "600r/m", got "lots"',
    );
    expect(errorOf(() => loadBalancerConfig({ env: { UPSTREAMS: 'a:1 wieght=1', STRATEGY: 'least_conn' } })).message).toBe(
      'UPSTREAMS[0]: unknown parameter "wieght" (did you mean "weight"?), got "a:1 wieght=1"',
    );
  });

  it('accepts on/off, true/false, yes/no, 1/0 for HEALTH_CHECK', () => {
    for (const [value, enabled] of [['off', false], ['TRUE', true], ['yes', true], ['0', false]] as const) {
      const config = loadBalancerConfig({ env: { UPSTREAMS: 'a:1', HEALTH_CHECK: value } });
      expect(config.upstreams['default']?.healthCheck.enabled).toBe(enabled);
    }
  });

  it('switches the access log with ACCESS_LOG=off/on, over the file, keeping its skipPaths', () => {
    expect(loadBalancerConfig({ env: { UPSTREAMS: 'a:1', ACCESS_LOG: 'off' } }).accessLog).toEqual({
      enabled: false,
      skipPaths: ['/health', '/health/live', '/health/ready'],
    });
    expect(loadBalancerConfig({ env: { UPSTREAMS: 'a:1', ACCESS_LOG: 'ON' } }).accessLog.enabled).toBe(true);
    expect(loadBalancerConfig({ env: { UPSTREAMS: 'a:1' } }).accessLog.enabled).toBe(true);
    expect(() => loadBalancerConfig({ env: { UPSTREAMS: 'a:1', ACCESS_LOG: 'quiet' } })).toThrow(
      'ACCESS_LOG: must be on or off (or true/false, yes/no, 1/0), got "quiet"',
    );
  });

  it('returns a deeply frozen object', () => {
    const config = loadBalancerConfig({ env: { UPSTREAMS: 'a:1' } });
    const server = config.upstreams['default']?.servers[0];
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.routes)).toBe(true);
    expect(Object.isFrozen(server)).toBe(true);
    expect(Object.isFrozen(config.limits.deny)).toBe(true);
    expect(() => config.routes.push({ ...ROUTE, prefix: '/x', upstream: 'default' })).toThrow(TypeError);
  });

  it('defaultBalancerConfig builds a valid config around the given servers', () => {
    const config = defaultBalancerConfig('127.0.0.1:9001, 127.0.0.1:9002 backup');
    expect(config.upstreams['default']?.servers.map((s) => [s.address, s.backup])).toEqual([
      ['127.0.0.1:9001', false],
      ['127.0.0.1:9002', true],
    ]);
    expect(config.routes.map((r) => r.prefix)).toEqual(['/predict', '/v2/', '/']);
  });
});
