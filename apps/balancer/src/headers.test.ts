import { describe, expect, it } from 'vitest';
import { connectionTokens, requestHeadersForUpstream, responseHeadersForClient } from './headers.js';

describe('hop-by-hop headers', () => {
  it.each([
    [undefined, []],
    ['close', ['close']],
    ['Keep-Alive, X-Foo ,,x-bar', ['keep-alive', 'x-foo', 'x-bar']],
    [['upgrade', 'X-A'], ['upgrade', 'x-a']],
  ])('Connection %j names %j', (value, names) => {
    expect([...connectionTokens(value as string | string[] | undefined)]).toEqual(names);
  });

  it('drops the fixed list, names from Connection, expect and HTTP/2 pseudo-headers from requests', () => {
    const out = requestHeadersForUpstream({
      host: 'api',
      connection: 'X-Secret',
      'x-secret': '1',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic x',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'x',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      'http2-settings': 'AAA',
      expect: '100-continue',
      ':path': '/p',
      'x-keep': 'yes',
      cookie: 'a=1',
    });
    expect(out).toEqual({ host: 'api', 'x-keep': 'yes', cookie: 'a=1' });
  });

  it('takes host from :authority for HTTP/2 requests', () => {
    expect(requestHeadersForUpstream({ ':authority': 'api:8443', ':method': 'GET' })).toEqual({ host: 'api:8443' });
  });

  it('keeps end-to-end response headers (set-cookie arrays included) and strips hop-by-hop ones', () => {
    const out = responseHeadersForClient({
      'set-cookie': ['a=1', 'b=2'],
      'content-length': 10,
      connection: 'keep-alive, x-internal',
      'x-internal': 'y',
      'keep-alive': 'timeout=72',
      'x-server-id': 'server-1',
    });
    expect(out).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'content-length': '10', 'x-server-id': 'server-1' });
  });
});
