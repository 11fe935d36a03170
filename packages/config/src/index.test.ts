import { describe, expect, it } from 'vitest';
import * as config from './index.js';

describe('@fleet/config public API', () => {
  it('exports the contract', () => {
    for (const name of [
      'loadModelServerConfig',
      'loadBalancerConfig',
      'ConfigError',
      'parseDuration',
      'parseSize',
      'parseRate',
      'parseUpstreamLine',
      'parseUpstreams',
      'modelServerConfigSchema',
      'balancerConfigSchema',
      'upstreamGroupSchema',
      'serverEntrySchema',
      'routeSchema',
      'defaultModelServerConfig',
      'defaultBalancerConfig',
    ]) {
      expect(config, name).toHaveProperty(name);
    }
    expect(config.CONFIG_ERROR_CODES).toEqual({ CONFIG_INVALID: 'CONFIG_INVALID' });
    expect(config.STRATEGY_NAMES).toEqual(['round_robin', 'least_conn', 'ip_hash', 'hash', 'random', 'random_two', 'least_time']);
  });

  it('parses the contract example server line', () => {
    expect(config.parseUpstreamLine('127.0.0.1:8001 weight=5 max_fails=3 fail_timeout=30s')).toEqual({
      address: '127.0.0.1:8001',
      weight: 5,
      maxFails: 3,
      failTimeoutMs: 30_000,
      backup: false,
      down: false,
      maxConns: 0,
      slowStartMs: 0,
    });
  });

  it('ConfigError is an Error with a stable code and frozen issues', () => {
    const error = new config.ConfigError([
      { path: 'a', message: 'x' },
      { path: 'b', message: 'y' },
    ]);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe('a: x\nb: y');
    expect(Object.isFrozen(error.issues[0])).toBe(true);
  });

  it('refuses two listeners on one port', () => {
    expect(() =>
      config.parseBalancerConfig({
        listen: { port: 9000 },
        admin: { port: 9000 },
        https: { port: 9000, cert: 'c', key: 'k' },
        upstreams: { a: { servers: ['h:1'] } },
      }),
    ).toThrow('admin.port: must differ from listen.port (9000)\nhttps.port: must differ from listen.port (9000)');
    expect(config.loadBalancerConfig({ env: { UPSTREAMS: 'h:1', PORT: '0', ADMIN_PORT: '0' } }).admin.port).toBe(0);
  });
});
