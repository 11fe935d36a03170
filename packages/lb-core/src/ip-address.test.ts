import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ipHashBytes, parseIpv4, parseIpv6 } from './ip-address.js';

/**
 * Address parsing for ip_hash: what parses, to which bytes, and what is refused. The grammar
 * is inet_pton's; the properties below take node:net (`isIPv4`/`isIPv6`, and `BlockList`,
 * which parses with inet_pton) as the independent judge of validity and of the bytes.
 */
const hex = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));

/** All eight groups written out, no `::` and no dotted quad: a form every parser reads alike. */
const fullForm = (bytes: Uint8Array): string =>
  Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] as number) * 256 + (bytes[2 * i + 1] as number)).toString(16)).join(':');

/** True when node:net reads `text` as the very address `bytes` (and not its neighbour). */
function sameAddressAsNode(text: string, bytes: Uint8Array): boolean {
  const list = new BlockList();
  list.addAddress(text, 'ipv6');
  const neighbour = Uint8Array.from(bytes);
  neighbour[15] = (neighbour[15] as number) ^ 1;
  return list.check(fullForm(bytes), 'ipv6') && !list.check(fullForm(neighbour), 'ipv6');
}

/** Strings built from the pieces addresses are made of, valid and broken alike. */
const addressLike = fc
  .array(fc.constantFrom('0', '1', 'a', 'ff', 'FFFF', '0db8', '12345', 'g', ':', '::', '.', '1.2.3.4', '255.0.0.1', '01.2.3.4', '256.1.1.1'), {
    maxLength: 12,
  })
  .map((pieces) => pieces.join(''));

describe('parseIpv4', () => {
  it.each([
    ['0.0.0.0', '00000000'],
    ['255.255.255.255', 'ffffffff'],
    ['10.1.2.3', '0a010203'],
  ])('%s → %s', (text, bytes) => expect(hex(parseIpv4(text))).toBe(bytes));

  it.each(['1.2.3', '1.2.3.4.5', '1.2.3.256', '1.2.3.1234', '1.2.3.12a', '1.2.3.', '-1.2.3.4', '1.2.3.4 ', '01.2.3.4', '1.2.3.00'])(
    'refuses %j',
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
    },
  );

  it('property: accepts exactly what node:net accepts, as the same four bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), addressLike), (text) => {
        const bytes = parseIpv4(text);
        expect(bytes !== undefined).toBe(isIPv4(text));
        if (bytes) expect([...bytes].join('.')).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1:2:3:4:5:6::8', '00010002000300040005000600000008'],
    ['[2001:db8::1]', '20010db8000000000000000000000001'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['::ffff:10.1.2.3', '00000000000000000000ffff0a010203'],
    ['64:ff9b::192.0.2.1', '0064ff9b0000000000000000c0000201'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'], // a dotted quad ends an address without `::` too
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'], // `::` may stand for a single group
    ['[fe80::1%eth0]', 'fe800000000000000000000000000001'],
  ])('%s → %s', (text, bytes) => expect(hex(parseIpv6(text))).toBe(bytes));

  it.each([
    '1.2.3.4',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4::5:6:7:8',
    '1::2::3',
    '12345::',
    'g::1',
    '::1.2.3',
    'x[::1]',
    '[::1]x',
    '[::1',
    '::1]',
    'fe80::1%', // a zone needs a name
    '1:2:3:4::5:6:7:8::9', // two `::`, whatever the group count
    '1:2:3:4:5:6:7:8::9::', // … even when the text before the first one is a whole address
    '1.2.3.4::', // a dotted quad only as the last 32 bits
    '1.2.3.4::5',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4', // nine groups' worth
    '::ffff:01.2.3.4',
  ])('refuses %j', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });

  it('property: accepts exactly what node:net accepts, as the same sixteen bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), addressLike), (text) => {
        const bytes = parseIpv6(text);
        expect(bytes !== undefined).toBe(isIPv6(text));
        if (bytes) expect(sameAddressAsNode(text, bytes)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ipHashBytes', () => {
  it.each([
    ['10.1.2.3', '0a0102'],
    ['::ffff:10.1.2.3', '0a0102'], // v4-mapped: hashed as IPv4
    ['::fffe:10.1.2.3', '00000000000000000000fffe0a010203'], // not v4-mapped: 16 bytes
    ['::ff:10.1.2.3', '0000000000000000000000ff0a010203'], // not v4-mapped: 16 bytes
    ['::ffff:0:10.1.2.3', '0000000000000000ffff00000a010203'], // the IPv4-translated form is not mapped
    ['1::ffff:10.1.2.3', '00010000000000000000ffff0a010203'],
  ])('%s → %s', (text, bytes) => expect(hex(ipHashBytes(text))).toBe(bytes));

  it.each([undefined, '', 'localhost', 'unix:/x'])('%j → undefined', (text) => expect(ipHashBytes(text)).toBeUndefined());
});
