import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A stream that parses every JSON line written to it (an access log or logger destination). */
export function lineSink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

/** A pino logger at `level` whose JSON lines the test can read. */
export function capturedLogger(level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const { stream, lines } = lineSink();
  return { logger: pino({ level }, stream), lines };
}
