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

  it('switches a route to another group in a new router and lists both; the old router is unchanged', () => {
    const blue = createRouter([route('/', 'blue'), route('/a/', 'blue')]);
    const r = blue.withRoute('/', 'green');
    expect(blue.withRoute('/nope', 'green')).toBeUndefined();
    expect(r?.match('/x', '')?.upstream).toBe('green');
    expect(blue.match('/x', '')?.upstream).toBe('blue');
    expect(r?.withRoute('/a/', 'red')?.list()).toEqual([
      { prefix: '/a/', upstream: 'red', configured: 'blue' },
      { prefix: '/', upstream: 'green', configured: 'blue' },
    ]);
  });

  it('answers undefined without a matching prefix', () => {
    expect(createRouter([route('/api/', 'api')]).match('/other', '')).toBeUndefined();
  });
});
