import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { waitFor } from './helpers/wait.js';

/**
 * Issue 8, finding 6: a client that goes away mid-upload is NGINX's 499 in metrics and the
 * access log, logged below error level without a stack; never a 500 that burns a 5xx alert.
 */
const f = useFixtures();

function lineSink(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, stream };
}

function abortMidUpload(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"text":"`);
      setImmediate(() => {
        socket.destroy();
        resolve();
      });
    });
    socket.on('error', reject);
  });
}

describe('client aborts', () => {
  it.each([
    ['buffered', true],
    ['streamed', false],
  ])('a %s upload the client abandons is 499 in the access log and metrics, without an error log', async (_name, requestBuffering) => {
    f.backends = [await startBackend('s1')];
    const access = lineSink();
    const logs = lineSink();
    f.balancer = await startTestBalancer(
      { upstreams: { default: { servers: [f.backends[0]?.address] } }, accessLog: { enabled: true }, requestBuffering },
      { accessLogDestination: access.stream, logger: pino({ level: 'debug' }, logs.stream) },
    );
    for (let i = 0; i < 3; i++) await abortMidUpload(f.balancer.port, '/predict');
    await waitFor(() => access.lines.length >= 3, { what: 'three access-log lines' });
    expect(access.lines.map((l) => l.status)).toEqual([499, 499, 499]);
    const metrics = (await get(f.balancer.adminPort, '/metrics')).text;
    expect(metrics).toMatch(/fleet_balancer_responses_total\{route="\/predict",status="499"\} 3/);
    expect(metrics).not.toMatch(/fleet_balancer_responses_total\{[^}]*status="5\d\d"\}/);
    expect(logs.lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(logs.lines.filter((l) => JSON.stringify(l).includes('"stack"'))).toEqual([]);
  });
});
