import { describe, expect, it } from 'vitest';
import { mergeJson } from './merge.js';

describe('mergeJson', () => {
  it('merges nested objects key by key and leaves the inputs alone', () => {
    const base = { upstreams: { default: { servers: ['a'], keepalive: { connections: 64 } } }, logLevel: 'warn' };
    const patch = { upstreams: { default: { client: 'undici' } } };
    expect(mergeJson(base, patch)).toEqual({ upstreams: { default: { servers: ['a'], keepalive: { connections: 64 }, client: 'undici' } }, logLevel: 'warn' });
    expect(base.upstreams.default).not.toHaveProperty('client');
    expect(patch.upstreams.default).toEqual({ client: 'undici' });
  });

  it('replaces arrays, scalars and null instead of merging them', () => {
    expect(mergeJson({ a: [1, 2], b: { c: 1 }, d: 1 }, { a: [3], b: null, d: { e: 2 } })).toEqual({ a: [3], b: null, d: { e: 2 } });
  });
});
