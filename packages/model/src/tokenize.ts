/**
 * Text → token ids. The same code runs in the build script (training) and in the
 * model server (inference), so the committed model and the feed can never drift apart.
 *
 * Tokens: lowercase runs of Unicode letters and digits. Ids: FNV-1a (32-bit) over the
 * token's UTF-8 bytes, folded into `1..VOCAB_SIZE-1`; id 0 is padding.
 */

/** Number of hash buckets, i.e. rows of the embedding table (id 0 = padding). */
export const VOCAB_SIZE = 32_768;
/** Tokens kept per text; the rest is cut (cost grows with length up to this cap). */
export const MAX_TOKENS = 512;
/** Id of the padding token. */
export const PAD_ID = 0;

const TOKEN_RE = /[\p{L}\p{N}]+/gu;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Splits a text into lowercase word tokens, keeping at most `maxTokens`. */
export function tokenize(text: string, maxTokens: number = MAX_TOKENS): string[] {
  const tokens: string[] = [];
  if (maxTokens <= 0) return tokens;
  for (const match of text.toLowerCase().matchAll(TOKEN_RE)) {
    tokens.push(match[0]);
    if (tokens.length >= maxTokens) break;
  }
  return tokens;
}

/** FNV-1a 32-bit hash of the UTF-8 encoding of `s` (unsigned). */
export function fnv1a32(s: string): number {
  let h = FNV_OFFSET;
  const mix = (byte: number): void => {
    h = Math.imul(h ^ byte, FNV_PRIME);
  };
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) {
      mix(cp);
    } else if (cp < 0x800) {
      mix(0xc0 | (cp >> 6));
      mix(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      mix(0xe0 | (cp >> 12));
      mix(0x80 | ((cp >> 6) & 0x3f));
      mix(0x80 | (cp & 0x3f));
    } else {
      mix(0xf0 | (cp >> 18));
      mix(0x80 | ((cp >> 12) & 0x3f));
      mix(0x80 | ((cp >> 6) & 0x3f));
      mix(0x80 | (cp & 0x3f));
    }
  }
  return h >>> 0;
}

/** Bucket id of one token: `1 + fnv1a32(token) mod (VOCAB_SIZE - 1)`; never the padding id. */
export function tokenId(token: string): number {
  return 1 + (fnv1a32(token) % (VOCAB_SIZE - 1));
}

/** Token ids of a text (at most `maxTokens`). */
export function tokenIds(text: string, maxTokens: number = MAX_TOKENS): number[] {
  return tokenize(text, maxTokens).map(tokenId);
}

/** ASCII code → its lowercase form when it belongs to a token (letter or digit), else 0. */
const ASCII_TOKEN_CHAR = Uint8Array.from({ length: 0x80 }, (_, code) => {
  if ((code >= 48 && code <= 57) || (code >= 97 && code <= 122)) return code;
  return code >= 65 && code <= 90 ? code + 32 : 0;
});

/**
 * The ids of `tokenIds(text, maxTokens)` written into `out` from `offset`; returns how many.
 * The serving path: no token strings, no arrays. A text made of ASCII only (the common case) is
 * lowercased, split and hashed in one pass over its char codes (ASCII lowercases to ASCII, its
 * letters and digits are exactly `[\p{L}\p{N}]`, and its UTF-8 bytes are its char codes); any
 * other text goes through `tokenize` (Unicode lowercasing with its context rules). `out` needs
 * room for `min(maxTokens, text.length)` ids (a token is at least one code unit).
 */
export function writeTokenIds(text: string, out: Int32Array, offset: number, maxTokens: number = MAX_TOKENS): number {
  if (maxTokens <= 0) return 0;
  let count = 0;
  let hash = FNV_OFFSET;
  let inToken = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return writeTokenIdsUnicode(text, out, offset, maxTokens);
    const lower = ASCII_TOKEN_CHAR[code] as number;
    if (lower !== 0) {
      if (!inToken) hash = FNV_OFFSET;
      inToken = true;
      hash = Math.imul(hash ^ lower, FNV_PRIME);
    } else if (inToken) {
      inToken = false;
      out[offset + count] = 1 + ((hash >>> 0) % (VOCAB_SIZE - 1));
      count += 1;
      if (count >= maxTokens) return count;
    }
  }
  if (inToken) {
    out[offset + count] = 1 + ((hash >>> 0) % (VOCAB_SIZE - 1));
    count += 1;
  }
  return count;
}

function writeTokenIdsUnicode(text: string, out: Int32Array, offset: number, maxTokens: number): number {
  let count = 0;
  for (const match of text.toLowerCase().matchAll(TOKEN_RE)) {
    out[offset + count] = tokenId(match[0]);
    count += 1;
    if (count >= maxTokens) break;
  }
  return count;
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * An upper bound of `tokenize(text, maxTokens).length` in one pass over the UTF-16 code units,
 * without lowercasing, matching or allocating: every run of ASCII letters/digits counts once
 * and every non-ASCII code unit counts once (a token is either built around an ASCII run or made
 * of non-ASCII letters only; lowercasing maps one code unit to at most one token start). Exact
 * for ASCII text. The model-server sizes batches by it (padded cells) before the worker
 * tokenizes.
 */
export function tokenCountBound(text: string, maxTokens: number = MAX_TOKENS): number {
  let count = 0;
  let inRun = false;
  for (let i = 0; i < text.length && count < maxTokens; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) {
      count += 1;
      inRun = false;
    } else if (isAsciiAlnum(code)) {
      if (!inRun) count += 1;
      inRun = true;
    } else {
      inRun = false;
    }
  }
  return Math.min(count, Math.max(0, maxTokens));
}
