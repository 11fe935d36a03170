import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createForwarding, ForwardedConfigError, forwardedElement, headerValue, normalizeIp, parseListAddress, type ClientInfo } from './forwarded.js';

/**
 * Edges of the real-IP rules that forwarded.test.ts left open (found by mutation testing):
 * exact address syntax (anchored patterns), prefix bounds, blank and padded list entries, the
 * RFC 7239 element for IPv6 and odd hosts, and what a config error says.
 */
const req = (peer: string, headers: IncomingHttpHeaders = {}) => ({ headers, socket: { remoteAddress: peer } });
const clientOf = (trustedProxies: string[], peer: string, xff: string) =>
  createForwarding({ trustedProxies, realIpHeader: 'x-forwarded-for' }).clientInfo(req(peer, { 'x-forwarded-for': xff }), false).clientIp;

describe('address syntax', () => {
  it.each([
    ['::ffff:10.20.30.40', '10.20.30.40'],
    ['::ffff:1.2.3.4.5', '::ffff:1.2.3.4.5'],
    ['2001:db8::ffff:1.2.3.4', '2001:db8::ffff:1.2.3.4'],
    ['%eth0', '%eth0'],
    ['10.0.0.1%x', '10.0.0.1%x'],
  ])('normalizeIp(%s) = %s', (input, out) => expect(normalizeIp(input)).toBe(out));

  it.each([
    ['[::1]x:80', null],
    ['[::1]:80x', null],
    ['::ffff:1.2.3.4:80', null],
    ['1.2.3.4:80x', null],
    ['1.2.3.4:65535', '1.2.3.4'],
  ])('parseListAddress(%j) = %j', (input, out) => expect(parseListAddress(input)).toBe(out));

  it('headerValue joins a repeated header with ", "', () => {
    expect(headerValue({ 'x-forwarded-for': ['1.1.1.1', '2.2.2.2'] as unknown as string }, 'x-forwarded-for')).toBe('1.1.1.1, 2.2.2.2');
  });
});

describe('trustedProxies entries', () => {
  it.each([
    [[' 10.0.0.0/8 '], '10.1.1.1', '1.2.3.4'],
    [['10.0.0.0/32'], '10.0.0.0', '1.2.3.4'],
    [['10.0.0.0/16'], '10.0.200.1', '1.2.3.4'],
    [['::1/128'], '::1', '1.2.3.4'],
    [['1::ffff:0:0/96'], '8.8.8.8', '8.8.8.8'],
    [['::ffff:0:0:5/96'], '8.8.8.8', '8.8.8.8'],
  ])('trusted %j, peer %s → client %s', (trusted, peer, client) => expect(clientOf(trusted, peer, '1.2.3.4')).toBe(client));

  it.each(['10.0.0.0/x8', '10.0.0.0/8x', '10.0.0.0/0008', '::ffff:1.2.3.4/90', '1.2.3.4/-1'])('refuses %j with a message naming it', (entry) => {
    let err: unknown;
    try {
      createForwarding({ trustedProxies: [entry], realIpHeader: 'x-forwarded-for' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ForwardedConfigError);
    expect({ name: (err as Error).name, message: (err as Error).message }).toEqual({
      name: 'ForwardedConfigError',
      message: `trustedProxies: not an IP address or CIDR: ${JSON.stringify(entry)}`,
    });
  });
});

describe('the walk over X-Forwarded-For', () => {
  it('an entry of only spaces is skipped like an empty one (NGINX skips separators)', () => {
    expect(clientOf(['10.0.0.0/8'], '10.0.0.1', '1.2.3.4, , 10.0.0.2')).toBe('1.2.3.4');
  });

  it('a trusted peer\'s padded X-Forwarded-For is trimmed before this hop is appended', () => {
    const fwd = createForwarding({ trustedProxies: ['10.0.0.0/8'], realIpHeader: 'x-forwarded-for' });
    const r = req('10.0.0.1', { 'x-forwarded-for': ' 1.2.3.4 ', forwarded: ' for=1.2.3.4 ', 'x-forwarded-proto': ' https , http' });
    const info = fwd.clientInfo(r, false);
    expect(info.proto).toBe('https');
    expect(fwd.headersFor(r, info)).toMatchObject({ 'x-forwarded-for': '1.2.3.4, 10.0.0.1', forwarded: 'for=1.2.3.4, for=10.0.0.1;proto=https' });
  });
});

describe('forwardedElement (RFC 7239)', () => {
  const info = (extra: Partial<ClientInfo>): ClientInfo => ({ clientIp: '', remoteAddr: '192.0.2.1', proto: 'http', host: '', ...extra });
  it.each([
    [{}, 'for=192.0.2.1;proto=http'],
    [{ remoteAddr: '2001:db8::1', proto: 'https' as const }, 'for="[2001:db8::1]";proto=https'],
    [{ remoteAddr: '' }, 'for=unknown;proto=http'],
    [{ host: 'api.example:8080' }, 'for=192.0.2.1;proto=http;host=api.example:8080'],
    [{ host: 'bad host"' }, 'for=192.0.2.1;proto=http'],
    [{ host: 'ok.example;evil=1' }, 'for=192.0.2.1;proto=http'],
    [{ host: 'x;a' }, 'for=192.0.2.1;proto=http'],
    [{ host: ';ok.example' }, 'for=192.0.2.1;proto=http'],
  ])('%j → %s', (extra, out) => expect(forwardedElement(info(extra))).toBe(out));
});
