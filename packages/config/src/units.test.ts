import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseDuration, parseRate, parseSize } from './units.js';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1m30s', 90_000],
    ['1h 30m', 5_400_000],
    ['30', 30_000], // NGINX: a bare number means seconds
    ['0', 0],
    [' 2ms ', 2],
    ['1.5s', 1500],
    [250, 250], // a JS number is already milliseconds
    [0, 0],
  ])('%j → %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', 'abc', '10x', '-1s', 's', '10 s', '1M', '5sec'])('rejects %j', (input) => {
    expect(() => parseDuration(input)).toThrow(ConfigError);
    expect(() => parseDuration(input, 'fail_timeout')).toThrow(
      `fail_timeout: must be a duration like "10s", "500ms", "1m" (a bare number string means seconds), got ${JSON.stringify(input)}`,
    );
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (input) => {
    expect(() => parseDuration(input)).toThrow(`duration: must be a duration >= 0 (number = milliseconds), got ${input}`);
  });
});

describe('parseSize', () => {
  it.each([
    ['512', 512],
    ['10k', 10_240],
    ['10K', 10_240],
    ['1m', 1_048_576],
    ['1M', 1_048_576],
    ['2g', 2 * 1024 ** 3],
    ['0', 0],
    [4096, 4096],
  ])('%j → %d bytes', (input, expected) => {
    expect(parseSize(input)).toBe(expected);
  });

  it.each(['', '1kb', '1.5m', '-1', 'm', '1t'])('rejects %j', (input) => {
    expect(() => parseSize(input, 'BODY_LIMIT')).toThrow(
      `BODY_LIMIT: must be a size like "512", "10k", "1m" or "1g", got ${JSON.stringify(input)}`,
    );
  });

  it('rejects fractional and negative numbers', () => {
    expect(() => parseSize(1.5)).toThrow('size: must be a whole number of bytes >= 0, got 1.5');
    expect(() => parseSize(-1)).toThrow('size: must be a whole number of bytes >= 0, got -1');
  });
});

describe('parseRate', () => {
  it.each([
    ['100r/s', 100],
    ['600r/m', 10],
    ['1r/s', 1],
    ['30r/m', 0.5],
    ['0.5r/s', 0.5],
    [25, 25],
  ])('%j → %d r/s', (input, expected) => {
    expect(parseRate(input)).toBe(expected);
  });

  it.each(['100', '100r/h', 'r/s', '100 r / s', '10/s'])('rejects %j', (input) => {
    expect(() => parseRate(input, 'RATE_LIMIT')).toThrow(
      `RATE_LIMIT: must be a rate like "100r/s" or "600r/m", got ${JSON.stringify(input)}`,
    );
  });

  it('rejects zero rates', () => {
    expect(() => parseRate('0r/s')).toThrow('rate: must be > 0 requests per second, got "0r/s"');
    expect(() => parseRate(0)).toThrow('rate: must be > 0 requests per second, got 0');
  });
});
