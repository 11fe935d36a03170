import { describe, expect, it } from 'vitest';
import { parseListeningLine } from './listening.js';

describe('parseListeningLine', () => {
  it('takes the port of the first complete JSON listening line', () => {
    const text = 'starting\n{"level":30,"msg":"listening","port":24123,"admin":false}\n{"msg":"listening","port":9}\n';
    expect(parseListeningLine(text)).toEqual({ port: 24123, ready: { level: 30, msg: 'listening', port: 24123, admin: false } });
  });

  it('waits for the end of the line, skips non-JSON and port-less lines', () => {
    expect(parseListeningLine('{"msg":"listening","port":24')).toBeUndefined();
    expect(parseListeningLine('server "listening" soon\n{"msg":"listening"}\n{"msg":"listening","port":0}\n')).toBeUndefined();
  });
});
