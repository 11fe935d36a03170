import type { RouteConfig } from '@fleet/config';
import { describe, expect, it } from 'vitest';
import { createRouter } from './routes.js';

const route = (prefix: string, upstream: string, extra: Partial<RouteConfig> = {}): RouteConfig => ({
  prefix,
  upstream,
  retryNonIdempotent: false,
  perTryTimeout: false,
  websocketIdleTimeoutMs: 3_600_000,
  stripPrefix: false,
  ...extra,
});

describe('router', () => {
  const router = createRouter([route('/', 'web'), route('/predict', 'models'), route('/api/', 'api', { stripPrefix: true })]);

  it.each([
    ['/', '', 'web', '/'],
    ['/predict', '?x=1', 'models', '/predict?x=1'],
    ['/predictions', '', 'models', '/predictions'],
    ['/api/users', '?a=b', 'api', '/users?a=b'],
    ['/api/', '', 'api', '/'],
    ['/apix', '', 'web', '/apix'],
  ])('%s%s → %s %s (longest prefix wins)', (path, search, upstream, upstreamPath) => {
    expect(router.match(path, search)).toMatchObject({ upstream, upstreamPath });
  });

  it('switches a route to another group and lists both', () => {
    const r = createRouter([route('/', 'blue')]);
    expect(r.switchRoute('/', 'green')).toBe(true);
    expect(r.switchRoute('/nope', 'green')).toBe(false);
    expect(r.match('/x', '')?.upstream).toBe('green');
    expect(r.list()).toEqual([{ prefix: '/', upstream: 'green', configured: 'blue' }]);
  });

  it('answers undefined without a matching prefix', () => {
    expect(createRouter([route('/api/', 'api')]).match('/other', '')).toBeUndefined();
  });
});
