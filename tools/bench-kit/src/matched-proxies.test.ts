import { parseBalancerConfig } from '@fleet/config';
import { describe, expect, it } from 'vitest';
import { fleetConfigFor, nginxSettingsFor } from './matched-proxies.js';
import { nginxConfig } from './nginx-config.js';

const setup = { port: 24010, adminPort: 24011, servers: ['127.0.0.1:24001 max_fails=3 fail_timeout=30s', '127.0.0.1:24002 max_fails=3 fail_timeout=30s'], headerTimeoutS: 3 };

describe('matched proxy configs', () => {
  it('give NGINX and fleet the same servers, keepalive, retries, tries and timeouts', () => {
    const nginx = nginxConfig({ ...nginxSettingsFor(setup), prefix: '/tmp/x' });
    const fleet = fleetConfigFor(setup) as { upstreams: { default: Record<string, unknown> }; limits: Record<string, unknown>; accessLog: unknown };
    for (const s of setup.servers) expect(nginx).toContain(`server ${s};`);
    expect(fleet.upstreams.default.servers).toEqual(setup.servers);
    expect(nginx).toContain('keepalive 64;');
    expect(fleet.upstreams.default.keepalive).toEqual({ connections: 64 });
    expect(nginx).toContain('proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;');
    expect(fleet.upstreams.default.nextUpstream).toEqual({ on: ['error', 'timeout', 'http_502', 'http_503', 'http_504'], tries: 3 });
    expect(nginx).toContain('proxy_next_upstream_tries 3;');
    expect(nginx).toContain('proxy_connect_timeout 1s;');
    expect(fleet.upstreams.default.timeouts).toEqual({ connectMs: 1000 });
    expect(nginx).toContain('client_header_timeout 3s;');
    expect(fleet.limits.headersTimeoutMs).toBe(3000);
    expect(nginx).toContain('keepalive_timeout 65s;');
    expect(fleet.limits.keepAliveTimeoutMs).toBe(65_000);
    expect(nginx).toContain('access_log off;');
    expect(fleet.accessLog).toEqual({ enabled: false });
  });
});

describe('fleetConfigFor', () => {
  it('is a config the balancer accepts, with the values meant', () => {
    const config = parseBalancerConfig(fleetConfigFor(setup));
    const group = config.upstreams.default;
    expect(group?.servers.map((s) => [s.address, s.maxFails, s.failTimeoutMs])).toEqual([
      ['127.0.0.1:24001', 3, 30_000],
      ['127.0.0.1:24002', 3, 30_000],
    ]);
    expect(group?.timeouts.connectMs).toBe(1000);
    expect(config.limits.headersTimeoutMs).toBe(3000);
  });

  it('lays fleetOverrides over the matched config (the bench switches a group to undici this way)', () => {
    const config = parseBalancerConfig(fleetConfigFor({ ...setup, fleetOverrides: { upstreams: { default: { client: 'undici' } } } }));
    expect(config.upstreams.default?.client).toBe('undici');
    expect(config.upstreams.default?.servers).toHaveLength(2);
    expect(parseBalancerConfig(fleetConfigFor(setup)).upstreams.default?.client).toBe('engine');
  });
});
