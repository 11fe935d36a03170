import { createServer, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createForwarding, FORWARDED_ERRORS, normalizeIp, parseListAddress, type ClientInfo } from './forwarded.js';

const TRUSTED = ['10.0.0.0/8', '192.168.1.1', '2001:db8::/32', '::ffff:172.16.0.0/108'];

// Every Forwarding is built inside a test (through these getters), never in a describe body: a
// mutant that makes construction throw must fail tests, not the collection of the file (which
// Stryker's vitest runner does not count as a kill).
const forwarding = (trustedProxies: string[], realIpHeader = 'x-forwarded-for') => createForwarding({ trustedProxies, realIpHeader });

function fakeReq(peer: string, headers: IncomingHttpHeaders = {}) {
  return { headers, socket: { remoteAddress: peer } };
}

describe('clientInfo: NGINX real_ip with recursion', () => {
  const fwd = () => forwarding(TRUSTED, 'X-Forwarded-For');
  const cases: { name: string; peer: string; xff?: string; clientIp: string; remoteAddr?: string }[] = [
    { name: 'untrusted peer: header ignored', peer: '203.0.113.5', xff: '1.2.3.4', clientIp: '203.0.113.5' },
    { name: 'trusted peer, one hop', peer: '10.0.0.1', xff: '1.2.3.4', clientIp: '1.2.3.4' },
    { name: 'walks past trusted hops', peer: '10.0.0.1', xff: '1.2.3.4, 10.0.0.2, 192.168.1.1', clientIp: '1.2.3.4' },
    { name: 'spoofed leftmost ignored', peer: '10.0.0.1', xff: '5.6.7.8, 1.2.3.4, 10.0.0.2', clientIp: '1.2.3.4' },
    { name: 'all trusted → leftmost', peer: '10.0.0.1', xff: '10.0.0.3, 10.0.0.2', clientIp: '10.0.0.3' },
    { name: 'unparsable entry stops the walk', peer: '10.0.0.1', xff: '1.2.3.4, unknown, 10.0.0.2', clientIp: '10.0.0.2' },
    { name: 'unparsable rightmost keeps peer', peer: '10.0.0.1', xff: '1.2.3.4, bogus', clientIp: '10.0.0.1' },
    { name: 'entries with ports', peer: '10.0.0.1', xff: '1.2.3.4:5678, 10.0.0.2:80', clientIp: '1.2.3.4' },
    { name: 'blank entries skipped', peer: '10.0.0.1', xff: '1.2.3.4,, 10.0.0.2 ,', clientIp: '1.2.3.4' },
    { name: 'no header → peer', peer: '10.0.0.1', clientIp: '10.0.0.1' },
    { name: 'host not in /32 untrusted', peer: '192.168.1.2', xff: '1.2.3.4', clientIp: '192.168.1.2' },
    {
      name: 'mapped peer normalised and trusted',
      peer: '::ffff:10.1.2.3',
      xff: '1.2.3.4',
      clientIp: '1.2.3.4',
      remoteAddr: '10.1.2.3',
    },
    { name: 'mapped CIDR trusts IPv4 peer', peer: '172.20.0.1', xff: '1.2.3.4', clientIp: '1.2.3.4' },
    { name: 'mapped CIDR bounds', peer: '172.32.0.1', xff: '1.2.3.4', clientIp: '172.32.0.1' },
    { name: 'mapped entry in list', peer: '10.0.0.1', xff: '::ffff:1.2.3.4', clientIp: '1.2.3.4' },
    { name: 'IPv6 peer and chain', peer: '2001:db8::1', xff: '2600::1, 2001:db8::7', clientIp: '2600::1' },
    { name: 'bracketed IPv6 with port', peer: '10.0.0.1', xff: '[2600::2]:443', clientIp: '2600::2' },
    { name: 'untrusted IPv6 peer', peer: '2600::9', xff: '1.2.3.4', clientIp: '2600::9' },
  ];
  it.each(cases)('$name', ({ peer, xff, clientIp, remoteAddr }) => {
    const info = fwd().clientInfo(fakeReq(peer, xff === undefined ? {} : { 'x-forwarded-for': xff }), false);
    expect(info.clientIp).toBe(clientIp);
    expect(info.remoteAddr).toBe(remoteAddr ?? peer);
  });

  it('uses the configured header only (X-Real-IP)', () => {
    const realIp = createForwarding({ trustedProxies: ['10.0.0.0/8'], realIpHeader: 'X-Real-IP' });
    const req = fakeReq('10.0.0.1', { 'x-real-ip': '198.51.100.1', 'x-forwarded-for': '1.2.3.4' });
    expect(realIp.clientInfo(req, false).clientIp).toBe('198.51.100.1');
  });

  it('trusts nobody with an empty list', () => {
    const none = createForwarding({ trustedProxies: [], realIpHeader: 'x-forwarded-for' });
    expect(none.clientInfo(fakeReq('10.0.0.1', { 'x-forwarded-for': '1.2.3.4' }), false).clientIp).toBe('10.0.0.1');
  });

  it('peerTrusted: the socket peer against trustedProxies (mapped IPv4 normalised), never the headers', () => {
    expect(fwd().peerTrusted(fakeReq('10.9.9.9'))).toBe(true);
    expect(fwd().peerTrusted(fakeReq('::ffff:10.9.9.9'))).toBe(true);
    expect(fwd().peerTrusted(fakeReq('203.0.113.5', { 'x-forwarded-for': '10.0.0.1' }))).toBe(false);
    expect(fwd().peerTrusted({ headers: {}, socket: null })).toBe(false);
    const none = createForwarding({ trustedProxies: [], realIpHeader: 'x-forwarded-for' });
    expect(none.peerTrusted(fakeReq('10.0.0.1'))).toBe(false);
  });

  it('missing socket address gives empty strings, no throw', () => {
    const info = fwd().clientInfo({ headers: { 'x-forwarded-for': '1.2.3.4' }, socket: null }, false);
    expect(info).toMatchObject({ clientIp: '', remoteAddr: '' });
  });
});

describe('clientInfo: proto and host', () => {
  const cases: { name: string; peer: string; tls: boolean; headers: IncomingHttpHeaders; proto: string; host: string }[] = [
    { name: 'plain', peer: '1.1.1.1', tls: false, headers: { host: 'a.test' }, proto: 'http', host: 'a.test' },
    { name: 'tls', peer: '1.1.1.1', tls: true, headers: { host: 'a.test:8443' }, proto: 'https', host: 'a.test:8443' },
    {
      name: 'untrusted forwarded proto/host ignored',
      peer: '1.1.1.1',
      tls: false,
      headers: { host: 'a.test', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test' },
      proto: 'http',
      host: 'a.test',
    },
    {
      name: 'trusted forwarded proto/host used (first entry)',
      peer: '10.0.0.1',
      tls: false,
      headers: { host: 'inner', 'x-forwarded-proto': 'HTTPS, http', 'x-forwarded-host': 'pub.test, inner' },
      proto: 'https',
      host: 'pub.test',
    },
    {
      name: 'bogus forwarded proto falls back to socket',
      peer: '10.0.0.1',
      tls: true,
      headers: { 'x-forwarded-proto': 'gopher' },
      proto: 'https',
      host: '',
    },
    { name: 'HTTP/2 authority', peer: '1.1.1.1', tls: true, headers: { ':authority': 'h2.test' }, proto: 'https', host: 'h2.test' },
  ];
  it.each(cases)('$name', ({ peer, tls, headers, proto, host }) => {
    const info = forwarding(['10.0.0.0/8']).clientInfo(fakeReq(peer, headers), tls);
    expect({ proto: info.proto, host: info.host }).toEqual({ proto, host });
  });
});

describe('headersFor', () => {
  const headersOf = (peer: string, headers: IncomingHttpHeaders, tls = false) => {
    const fwd = forwarding(['10.0.0.0/8']);
    const req = fakeReq(peer, headers);
    return fwd.headersFor(req, fwd.clientInfo(req, tls));
  };

  it('untrusted peer: chain reset to the peer', () => {
    expect(headersOf('203.0.113.5', { host: 'a.test', 'x-forwarded-for': '6.6.6.6' })).toEqual({
      'x-forwarded-for': '203.0.113.5',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'a.test',
      'x-real-ip': '203.0.113.5',
    });
  });

  it('trusted peer: chain appended with the peer, real ip from the chain', () => {
    const h = headersOf('10.0.0.1', { host: 'a.test', 'x-forwarded-for': '1.2.3.4, 10.0.0.9', 'x-forwarded-proto': 'https' });
    expect(h).toEqual({
      'x-forwarded-for': '1.2.3.4, 10.0.0.9, 10.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'a.test',
      'x-real-ip': '1.2.3.4',
    });
  });

  it('no host → no x-forwarded-host', () => {
    expect(headersOf('1.1.1.1', {}, true)).toEqual({
      'x-forwarded-for': '1.1.1.1',
      'x-forwarded-proto': 'https',
      'x-real-ip': '1.1.1.1',
    });
  });
});

describe('config and helpers', () => {
  it.each(['nope', '10.0.0.0/33', '1.2.3.4/8/1', '::1/129', '10.0.0.0/x', ''])('rejects trusted entry %j', (entry) => {
    expect(() => createForwarding({ trustedProxies: [entry], realIpHeader: 'x-forwarded-for' })).toThrow(
      expect.objectContaining({ code: FORWARDED_ERRORS.TRUSTED_PROXY_INVALID }),
    );
  });

  it.each([
    [['::ffff:0:0/96'], '8.8.8.8', '1.2.3.4'],
    [['::ffff:10.0.0.1'], '10.0.0.1', '1.2.3.4'],
    [['::ffff:10.0.0.1'], '10.0.0.2', '10.0.0.2'],
    [['2001:db8::/127'], '2001:db8::1', '1.2.3.4'],
    [['2001:db8::/127'], '2001:db8::2', '2001:db8::2'],
  ])('trusted %j, peer %s → client %s', (trustedProxies, peer, clientIp) => {
    const fwd = createForwarding({ trustedProxies, realIpHeader: 'x-forwarded-for' });
    expect(fwd.clientInfo(fakeReq(peer, { 'x-forwarded-for': '1.2.3.4' }), false).clientIp).toBe(clientIp);
  });

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8::1', '2001:db8::1'],
  ])('normalizeIp(%s) = %s', (input, out) => expect(normalizeIp(input)).toBe(out));

  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4:80 ', '1.2.3.4'],
    ['[::1]:80', '::1'],
    ['[::1]', '::1'],
    ['::1', '::1'],
    ['[::1]x', null],
    ['[::1', null],
    ['1.2.3.4:', null],
    ['unknown', null],
  ])('parseListAddress(%j) = %j', (input, out) => expect(parseListAddress(input)).toBe(out));
});

describe('with real node:http requests', () => {
  async function infoOverLoopback(
    listenHost: string,
    trustedProxies: string[],
    headers: Record<string, string>,
  ): Promise<{ info: ClientInfo; raw: string | undefined }> {
    let captured: { info: ClientInfo; raw: string | undefined } | undefined;
    const fwd = createForwarding({ trustedProxies, realIpHeader: 'x-forwarded-for' });
    const server = createServer((req: IncomingMessage, res) => {
      captured = { info: fwd.clientInfo(req, false), raw: req.socket.remoteAddress };
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, headers, agent: false }, (res) => {
          res.resume().on('end', resolve);
        });
        req.on('error', reject).end();
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    if (captured === undefined) throw new Error('request not captured');
    return captured;
  }

  it('trusted loopback peer: client from X-Forwarded-For', async () => {
    const { info } = await infoOverLoopback('127.0.0.1', ['127.0.0.1'], { 'x-forwarded-for': '198.51.100.7' });
    expect(info).toEqual({ clientIp: '198.51.100.7', remoteAddr: '127.0.0.1', proto: 'http', host: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it('untrusted loopback peer: header ignored', async () => {
    const { info } = await infoOverLoopback('127.0.0.1', ['10.0.0.0/8'], { 'x-forwarded-for': '198.51.100.7' });
    expect(info.clientIp).toBe('127.0.0.1');
  });

  it('dual-stack listener: IPv4-mapped peer normalised and matched against an IPv4 CIDR', async () => {
    const { info, raw } = await infoOverLoopback('::', ['127.0.0.0/8'], { 'x-forwarded-for': '198.51.100.8' });
    expect(raw).toBe('::ffff:127.0.0.1');
    expect(info.remoteAddr).toBe('127.0.0.1');
    expect(info.clientIp).toBe('198.51.100.8');
  });
});
