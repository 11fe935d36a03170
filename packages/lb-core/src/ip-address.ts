/**
 * Client address → the bytes ip_hash hashes. NGINX hashes the first three octets of an
 * IPv4 address (the /24) and all 16 bytes of an IPv6 address.
 *
 * The text forms accepted are exactly those of `inet_pton` (what `node:net` `isIPv4` /
 * `isIPv6` accept, which the tests check): dotted-quad IPv4 without leading zeros (`010` is
 * octal to `inet_aton`, so it is refused rather than guessed), and IPv6 with at most one
 * `::` and an embedded IPv4 address only as its last 32 bits. An IPv6 address may come in
 * brackets and with a zone (`fe80::1%eth0`, which Node reports for link-local clients); the
 * zone is not hashed.
 *
 * Departure: an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what Node reports for
 * IPv4 clients on a dual-stack socket) is treated as the IPv4 address, so the same
 * client maps to the same peer whichever socket it arrived on.
 */

export function ipHashBytes(address: string | undefined): Uint8Array | undefined {
  if (address === undefined) return undefined;
  const v4 = parseIpv4(address);
  if (v4) return v4.subarray(0, 3);
  const v6 = parseIpv6(address);
  if (!v6) return undefined;
  if (isV4Mapped(v6)) return v6.subarray(12, 15);
  return v6;
}

export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

export function parseIpv6(input: string): Uint8Array | undefined {
  const bracketed = /^\[(.*)\]$/s.exec(input);
  const text = (bracketed ? (bracketed[1] as string) : input).replace(/%.+/s, '');
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // An embedded IPv4 address is the last 32 bits: the end of the tail, or of the head without `::`.
  const head = groups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] as string, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((word, i) => {
    out[i * 2] = word >> 8;
    out[i * 2 + 1] = word & 0xff;
  });
  return out;
}

/** Hex groups of one side of `::`; a trailing dotted quad (where `v4Last` allows one) counts as two groups. */
function groups(side: string, v4Last: boolean): number[] | undefined {
  if (side === '') return [];
  const parts = side.split(':');
  const words: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (v4Last && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (!v4) return undefined;
      words.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      words.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return words;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}
