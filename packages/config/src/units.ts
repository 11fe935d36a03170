/**
 * NGINX-style units. Durations: `ms s m h d w`, combinable (`1m30s`, `1h 30m`); a bare number
 * *string* means seconds (NGINX: `fail_timeout=30` is 30 s) while a JS number is already
 * milliseconds (the unit of every `...Ms` key). Sizes: bytes with `k`/`m`/`g` (1024-based,
 * case-insensitive). Rates: `100r/s`, `600r/m`, or a number of requests per second.
 */
import { ConfigError, withValue } from './errors.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

export const DURATION_HINT = 'must be a duration like "10s", "500ms", "1m" (a bare number string means seconds)';
export const SIZE_HINT = 'must be a size like "512", "10k", "1m" or "1g"';
export const RATE_HINT = 'must be a rate like "100r/s" or "600r/m"';

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)\s*/y;

export function tryParseDuration(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? ok(input) : fail('must be a duration >= 0 (number = milliseconds)');
  }
  if (typeof input !== 'string') return fail(DURATION_HINT);
  const text = input.trim();
  if (/^\d+$/.test(text)) return ok(Number(text) * 1000);
  if (text === '') return fail(DURATION_HINT);
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const match = DURATION_PART.exec(text);
    if (!match) return fail(DURATION_HINT);
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? ok(Math.round(total)) : fail(DURATION_HINT);
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function tryParseSize(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0 ? ok(input) : fail('must be a whole number of bytes >= 0');
  }
  if (typeof input !== 'string') return fail(SIZE_HINT);
  const match = /^(\d+)([kmg]?)$/i.exec(input.trim());
  if (!match) return fail(SIZE_HINT);
  return ok(Number(match[1]) * (SIZE_UNITS[(match[2] ?? '').toLowerCase()] ?? Number.NaN));
}

export function tryParseRate(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input > 0 ? ok(input) : fail('must be > 0 requests per second');
  }
  if (typeof input !== 'string') return fail(RATE_HINT);
  const match = /^(\d+(?:\.\d+)?)\s*r\/(s|m)$/.exec(input.trim());
  if (!match) return fail(RATE_HINT);
  const perSecond = Number(match[1]) / (match[2] === 'm' ? 60 : 1);
  return perSecond > 0 ? ok(perSecond) : fail('must be > 0 requests per second');
}

function orThrow<T>(result: Parsed<T>, input: unknown, path: string): T {
  if (result.ok) return result.value;
  throw new ConfigError([{ path, message: withValue(result.message, input) }]);
}

/** `'10s'` → 10000. Bare number strings are seconds (NGINX); JS numbers are milliseconds. */
export function parseDuration(input: string | number, path = 'duration'): number {
  return orThrow(tryParseDuration(input), input, path);
}

/** `'1m'` → 1048576 (NGINX k/m/g, 1024-based, case-insensitive; bare = bytes). */
export function parseSize(input: string | number, path = 'size'): number {
  return orThrow(tryParseSize(input), input, path);
}

/** `'100r/s'` → 100, `'600r/m'` → 10 (requests per second). */
export function parseRate(input: string | number, path = 'rate'): number {
  return orThrow(tryParseRate(input), input, path);
}
