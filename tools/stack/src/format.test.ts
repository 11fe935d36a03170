import { describe, expect, it } from 'vitest';
import { colorFor, formatLogLine, prefix, useColor } from './format.js';

describe('formatLogLine', () => {
  it('shortens pino JSON to level, message and the remaining fields', () => {
    const line = JSON.stringify({ level: 30, time: 1, pid: 7, hostname: 'h', msg: 'listening', port: 8001, serverId: 'server-1' });
    expect(formatLogLine(line)).toBe('info listening port=8001 serverId=server-1');
  });

  it('quotes strings with spaces, inlines objects and truncates long values', () => {
    const line = JSON.stringify({ level: 50, msg: 'boom', err: { code: 'X' }, note: 'a b', big: 'y'.repeat(200) });
    expect(formatLogLine(line)).toBe(`error boom err={"code":"X"} note="a b" big=${'y'.repeat(120)}…`);
  });

  it('rounds floats to two decimals, also inside objects', () => {
    const line = JSON.stringify({ level: 30, msg: 'access', durationMs: 39.558854, attempts: [{ durationMs: 26.21195, status: 200 }] });
    expect(formatLogLine(line)).toBe('info access durationMs=39.56 attempts=[{"durationMs":26.21,"status":200}]');
  });

  it('passes plain and broken lines through unchanged', () => {
    expect(formatLogLine('Tasks: 2 successful')).toBe('Tasks: 2 successful');
    expect(formatLogLine('{not json}')).toBe('{not json}');
    expect(formatLogLine('[1,2]')).toBe('[1,2]');
  });

  it('pads the prefix to a common width', () => {
    expect(prefix('stack', 8)).toBe('stack    |');
  });

  it('colors prefixes per child on a terminal only', () => {
    expect(prefix('balancer', 8, true)).toBe('\x1b[95mbalancer |\x1b[0m');
    expect(['server-1', 'server-2', 'server-11', 'stack'].map(colorFor)).toEqual([36, 32, 36, 1]);
    expect(useColor(true, {})).toBe(true);
    expect(useColor(false, {})).toBe(false);
    expect(useColor(true, { NO_COLOR: '' })).toBe(false);
    expect(useColor(true, { TERM: 'dumb' })).toBe(false);
  });
});
