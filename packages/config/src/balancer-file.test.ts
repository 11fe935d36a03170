import { describe, expect, it } from 'vitest';
import { errorOf, useTmpDir } from '../test/tmp-dir.js';
import { loadBalancerConfig, parseBalancerConfig } from './balancer.js';

const write = useTmpDir();

const YAML_CONFIG = `
listen: { host: 0.0.0.0, port: 8080 }
https: { port: 8443, cert: /etc/fleet/cert.pem, key: /etc/fleet/key.pem, http2: true }
admin: { port: 9091, token: secret }
upstreams:
  models:
    strategy: least_conn
    servers:
      - 10.0.0.1:8000 weight=3 max_fails=2 fail_timeout=30s
      - { address: "10.0.0.2:8000", maxConns: 100, slowStartMs: 20s }
      - 10.0.0.3:8000 backup
    timeouts: { connectMs: 500ms, headersMs: 30s }
    nextUpstream: { on: [error, timeout, http_503], tries: 0 }
  sticky:
    strategy: hash
    hashKey: $cookie_session
    consistent: true
    servers: [10.0.1.1:8000, 10.0.1.2:8000]
routes:
  - { prefix: /predict, upstream: models, retryNonIdempotent: true }
  - { prefix: /, upstream: sticky, stripPrefix: false }
trustedProxies: [10.0.0.0/8]
limits:
  rateLimit: { rate: 100r/s, burst: 50, nodelay: true }
  clientMaxBodySize: 2m
  deny: ['^/admin']
static: [{ prefix: /assets/, root: ./public, maxAgeMs: 1h }]
`;

describe('loadBalancerConfig from files', () => {
  it('reads a YAML file with units, server lines and objects', () => {
    const config = loadBalancerConfig({ env: {}, file: write('lb.yaml', YAML_CONFIG) });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080, server: 'engine' });
    expect(config.https).toEqual({ port: 8443, cert: '/etc/fleet/cert.pem', key: '/etc/fleet/key.pem', http2: true, redirectHttp: false });
    const models = config.upstreams['models'];
    expect(models?.servers.map((s) => [s.address, s.weight, s.maxFails, s.failTimeoutMs, s.backup, s.maxConns, s.slowStartMs])).toEqual([
      ['10.0.0.1:8000', 3, 2, 30_000, false, 0, 0],
      ['10.0.0.2:8000', 1, 1, 10_000, false, 100, 20_000],
      ['10.0.0.3:8000', 1, 1, 10_000, true, 0, 0],
    ]);
    expect(models?.timeouts).toEqual({ connectMs: 500, headersMs: 30_000, bodyIdleMs: 60_000 });
    expect(models?.nextUpstream).toEqual({ on: ['error', 'timeout', 'http_503'], tries: 0, timeoutMs: 0 });
    expect(config.upstreams['sticky']).toMatchObject({ strategy: 'hash', hashKey: '$cookie_session', consistent: true });
    expect(config.routes.map((r) => [r.prefix, r.upstream, r.retryNonIdempotent])).toEqual([
      ['/predict', 'models', true],
      ['/', 'sticky', false],
    ]);
    expect(config.limits.rateLimit).toMatchObject({ rate: 100, burst: 50, nodelay: true });
    expect(config.limits.clientMaxBodySize).toBe(2 * 1024 * 1024);
    expect(config.static).toEqual([{ prefix: '/assets/', root: './public', maxAgeMs: 3_600_000 }]);
  });

  it('reads the same config from JSON', () => {
    const raw = {
      upstreams: { default: { servers: ['127.0.0.1:8001 weight=2', { address: '127.0.0.1:8002' }] } },
      limits: { headersTimeoutMs: 5000 },
    };
    const config = loadBalancerConfig({ env: {}, file: write('lb.json', JSON.stringify(raw)) });
    expect(config.upstreams['default']?.servers.map((s) => s.weight)).toEqual([2, 1]);
    expect(config.limits.headersTimeoutMs).toBe(5000);
    expect(config.routes).toHaveLength(3);
  });

  it('applies defaults < file < env; UPSTREAMS replaces the servers of group default only', () => {
    const file = write(
      'precedence.yaml',
      'listen: { port: 9000 }\nupstreams:\n  default:\n    strategy: least_conn\n    keepalive: { connections: 8 }\n    servers: [a:1, b:2]\n',
    );
    const fileOnly = loadBalancerConfig({ env: {}, file });
    expect(fileOnly.listen.port).toBe(9000);
    const config = loadBalancerConfig({ env: { CONFIG_FILE: file, PORT: '9100', UPSTREAMS: 'c:3', STRATEGY: 'random_two' } });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 9100, server: 'engine' });
    expect(config.upstreams['default']).toMatchObject({ strategy: 'random_two', keepalive: { connections: 8, idleTimeoutMs: 4000 } });
    expect(config.upstreams['default']?.servers.map((s) => s.address)).toEqual(['c:3']);
  });

  it('chooses the upstream client per group (engine or undici) and names a bad one', () => {
    const file = write('client.yaml', 'upstreams:\n  a: { servers: [x:1] }\n  b: { servers: [y:1], client: undici }\nroutes: [{ prefix: /, upstream: a }]\n');
    const config = loadBalancerConfig({ env: {}, file });
    expect([config.upstreams['a']?.client, config.upstreams['b']?.client]).toEqual(['engine', 'undici']);
    const bad = write('bad-client.yaml', 'upstreams: { default: { servers: [x:1], client: curl } }\n');
    expect(errorOf(() => loadBalancerConfig({ env: {}, file: bad })).message).toBe('upstreams.default.client: must be one of engine, undici, got "curl"');
  });

  it('chooses the plain listener server (node or engine, unset = engine) and names a bad one', () => {
    const node = write('listen-node.yaml', 'listen: { port: 0, server: node }\nupstreams: { default: { servers: [x:1] } }\n');
    expect(loadBalancerConfig({ env: {}, file: node }).listen.server).toBe('node');
    const engine = write('listen-engine.yaml', 'listen: { port: 0, server: engine }\nupstreams: { default: { servers: [x:1] } }\n');
    expect(loadBalancerConfig({ env: {}, file: engine }).listen.server).toBe('engine');
    const unset = write('listen-unset.yaml', 'upstreams: { default: { servers: [x:1] } }\n');
    expect(loadBalancerConfig({ env: {}, file: unset }).listen.server).toBe('engine');
    const bad = write('listen-bad.yaml', 'listen: { server: nginx }\nupstreams: { default: { servers: [x:1] } }\n');
    expect(errorOf(() => loadBalancerConfig({ env: {}, file: bad })).message).toBe('listen.server: must be one of engine, node, got "nginx"');
  });

  it('lets UPSTREAMS add group default beside file groups (routes then must be given)', () => {
    const file = write('two.yaml', 'upstreams: { canary: { servers: [x:1] } }\n');
    expect(errorOf(() => loadBalancerConfig({ env: { UPSTREAMS: 'a:1' }, file })).message).toBe(
      'routes: are required when there are several upstream groups (canary, default)',
    );
  });

  it('lists every problem of a bad file in one error', () => {
    const file = write(
      'bad.yaml',
      `listen: { port: 70000 }
upstreams:
  default:
    strategy: round_robn
    servers:
      - 127.0.0.1:8001 weight=5
      - { address: "127.0.0.1:8002", weight: 0 }
      - 5
    timeouts: { conectMs: 5 }
  other:
    strategy: hash
    servers: ["h:1 backup"]
routes:
  - { prefix: /x, upstream: nope }
  - { prefix: x, upstream: other }
  - { prefix: /x, upstream: other }
trustedProxies: [10.0.0.0/33, 300.1.1.1]
limits: { deny: ["("], rateLimit: { rate: 0r/s, key: $nope } }
https: { port: 8443 }
`,
    );
    expect(errorOf(() => loadBalancerConfig({ env: {}, file })).message).toBe(
      [
        'listen.port: must be an integer 0..65535, got 70000',
        'https.cert: is required',
        'https.key: is required',
        'upstreams.default.strategy: must be one of round_robin, least_conn, ip_hash, hash, random, random_two, least_time, got "round_robn"',
        'upstreams.default.servers[1].weight: must be > 0, got 0',
        'upstreams.default.servers[2]: must be a server line like "host:port weight=2" or an object with an address, got 5',
        'upstreams.default.timeouts.conectMs: unknown key "conectMs" (did you mean "connectMs"?)',
        'upstreams.other.hashKey: is required when strategy is "hash"',
        'upstreams.other.servers[0].backup: cannot be used with strategy "hash" (NGINX: backup is not supported by hash and ip_hash)',
        'routes[1].prefix: must start with "/", got "x"',
        'trustedProxies[0]: CIDR prefix must be 0..32, got "10.0.0.0/33"',
        'trustedProxies[1]: must be an IP address or CIDR like "10.0.0.0/8", got "300.1.1.1"',
        'limits.rateLimit.rate: must be > 0 requests per second, got "0r/s"',
        'limits.rateLimit.key: unknown variable "$nope" (known: $remote_addr, $binary_remote_addr, $request_uri, $uri, $args, $query_string, $is_args, $host, $scheme, $request_method, $http_<name>, $cookie_<name>, $arg_<name>), got "$nope"',
        'limits.deny[0]: invalid regular expression (Invalid regular expression: /(/: Unterminated group), got "("',
        'routes[0].upstream: unknown upstream group "nope" (defined: default, other)',
        'routes[2].prefix: duplicate route prefix "/x"',
      ].join('\n'),
    );
  });

  it('suggests the key that was meant, or lists the allowed ones', () => {
    const file = write('keys.yaml', 'upstreams: { default: { servers: [a:1] } }\nlisten: { prot: 1 }\nzzz: 1\n');
    expect(errorOf(() => loadBalancerConfig({ env: {}, file })).issues).toEqual([
      { path: 'listen.prot', message: 'unknown key "prot" (did you mean "port"?)' },
      {
        path: 'zzz',
        message:
          'unknown key "zzz" (allowed: listen, https, admin, upstreams, routes, trustedProxies, realIpHeader, limits, requestBuffering, static, accessLog, retryBudget, shutdown, logLevel)',
      },
    ]);
  });

  it('names the file when it cannot be read or parsed', () => {
    const missing = write('exists.yaml', '') + '.missing';
    expect(errorOf(() => loadBalancerConfig({ env: {}, file: missing })).message).toBe(
      `${missing}: cannot read config file (ENOENT: no such file or directory, open '${missing}')`,
    );
    const yaml = write('broken.yaml', 'listen: { port: 1\n');
    expect(errorOf(() => loadBalancerConfig({ env: {}, file: yaml })).message).toMatch(new RegExp(`^${yaml}: invalid YAML: `));
    const json = write('broken.json', '{"listen": ');
    expect(errorOf(() => loadBalancerConfig({ env: {}, file: json })).message).toMatch(new RegExp(`^${json}: invalid JSON: `));
    const list = write('list.yaml', '- a\n- b\n');
    expect(errorOf(() => loadBalancerConfig({ env: {}, file: list })).message).toBe(
      `${list}: must hold a mapping (object) at the top level, got ["a","b"]`,
    );
    const dup = write('dup.yaml', 'logLevel: info\nlogLevel: warn\n');
    expect(errorOf(() => loadBalancerConfig({ env: {}, file: dup })).message).toMatch(/invalid YAML: Map keys must be unique/);
  });

  it('reports a bad file together with bad env vars', () => {
    const missing = write('x.yaml', '') + '.gone';
    expect(errorOf(() => loadBalancerConfig({ env: { CONFIG_FILE: missing, PORT: 'x' } })).issues?.map((i) => i.path)).toEqual([
      missing,
      'PORT',
    ]);
  });

  it('treats an empty file as no settings', () => {
    expect(loadBalancerConfig({ env: { UPSTREAMS: 'a:1' }, file: write('empty.yaml', '') }).listen.port).toBe(8080);
  });
});

describe('parseBalancerConfig', () => {
  it('validates objects without env or file', () => {
    const config = parseBalancerConfig({ upstreams: { a: { servers: ['h:1'] } }, realIpHeader: 'X-Real-IP' });
    expect(config.routes.every((r) => r.upstream === 'a')).toBe(true);
    expect(config.realIpHeader).toBe('x-real-ip');
  });

  it('rejects consistent without hash and group names that cannot go in a URL', () => {
    expect(errorOf(() => parseBalancerConfig({ upstreams: { 'a/b': { servers: ['h:1'], consistent: true } } })).message).toBe(
      [
        'upstreams["a/b"].consistent: only applies to strategy "hash"',
        'upstreams["a/b"]: group names may use only letters, digits, "_", "." and "-"',
      ].join('\n'),
    );
  });

  it('needs servers in every group', () => {
    expect(errorOf(() => parseBalancerConfig({ upstreams: { a: { servers: [] }, b: {} }, routes: [] })).message).toBe(
      ['upstreams.a.servers: must not be empty, got []', 'upstreams.b.servers: is required'].join('\n'),
    );
  });
});
