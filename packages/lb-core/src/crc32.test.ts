import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CRC32_INIT, crc32, crc32Final, crc32Update, utf8 } from './crc32.js';

describe('crc32', () => {
  it.each([
    ['', 0],
    ['123456789', 0xcbf43926], // the standard CRC-32 check value
    ['hello', 907060870],
  ])('crc32(%j) = %d', (input, expected) => {
    expect(crc32(input)).toBe(expected);
  });

  it('property: matches node:zlib for any bytes, incremental = one-shot', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const joined = new Uint8Array([...a, ...b]);
        expect(crc32(joined)).toBe(zlibCrc32(joined));
        expect(crc32Final(crc32Update(crc32Update(CRC32_INIT, a), b))).toBe(crc32(joined));
      }),
    );
  });

  it('hashes strings as UTF-8', () => {
    expect(crc32('ключ')).toBe(zlibCrc32(Buffer.from('ключ', 'utf8')));
    expect([...utf8('é')]).toEqual([0xc3, 0xa9]);
  });
});
