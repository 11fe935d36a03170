/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table driven, as NGINX's
 * `ngx_crc32_*` functions. Pure so lb-core needs no `node:zlib`.
 *
 * The incremental form mirrors NGINX's `ngx_crc32_init / update / final`, which the
 * ketama ring needs: it hashes `host \0 port` once and then extends a copy of that
 * running state with 4 more bytes per point.
 */

const TABLE: Uint32Array = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  // Stryker disable next-line EqualityOperator: one more turn writes index 256 of a 256-entry Uint32Array, which typed arrays ignore
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
}

/** Running (not yet finalized) CRC state: `ngx_crc32_init`. */
export const CRC32_INIT = 0xffffffff;

/** `ngx_crc32_update`: extend a running state with `bytes`. */
export function crc32Update(state: number, bytes: Uint8Array): number {
  let crc = state;
  for (const byte of bytes) {
    crc = (TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  }
  return crc >>> 0;
}

/** `ngx_crc32_final`. */
export function crc32Final(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (NGINX hashes the raw bytes of the key). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** One-shot CRC-32 of bytes or of a string's UTF-8 bytes (`ngx_crc32_long`). */
export function crc32(input: Uint8Array | string): number {
  const bytes = typeof input === 'string' ? utf8(input) : input;
  return crc32Final(crc32Update(CRC32_INIT, bytes));
}
