import { describe, expect, it } from 'vitest';
import { ipHashBytes, parseIpv4, parseIpv6 } from './ip-address.js';

/** Address parsing for ip_hash: what parses, to which bytes, and what is refused. */
const hex = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));

describe('parseIpv4', () => {
  it.each([
    ['0.0.0.0', '00000000'],
    ['255.255.255.255', 'ffffffff'],
    ['10.1.2.3', '0a010203'],
  ])('%s → %s', (text, bytes) => expect(hex(parseIpv4(text))).toBe(bytes));

  it.each(['1.2.3', '1.2.3.4.5', '1.2.3.256', '1.2.3.1234', '1.2.3.12a', '1.2.3.', '-1.2.3.4', '1.2.3.4 '])('refuses %j', (text) => {
    expect(parseIpv4(text)).toBeUndefined();
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
  ])('refuses %j', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });
});

describe('ipHashBytes', () => {
  it.each([
    ['10.1.2.3', '0a0102'],
    ['::ffff:10.1.2.3', '0a0102'], // v4-mapped: hashed as IPv4
    ['::fffe:10.1.2.3', '00000000000000000000fffe0a010203'], // not v4-mapped: 16 bytes
    ['::ffff:0:10.1.2.3', '0000000000000000ffff00000a010203'], // the IPv4-translated form is not mapped
    ['1::ffff:10.1.2.3', '00010000000000000000ffff0a010203'],
  ])('%s → %s', (text, bytes) => expect(hex(ipHashBytes(text))).toBe(bytes));

  it.each([undefined, '', 'localhost', 'unix:/x'])('%j → undefined', (text) => expect(ipHashBytes(text)).toBeUndefined());
});
