import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { completeResponse, parseAnswer, type RawAnswer } from './helpers/raw-http.js';
import { startScriptedUpstream } from './helpers/scripted-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * The balancer's own resource errors through the in-process server, on both listeners and both
 * upstream clients: EMFILE on the upstream connect is answered 503 LOCAL_RESOURCES_EXHAUSTED
 * with `Retry-After: 1` (proxy.ts), and the peer is not blamed. The process test in
 * hardening-fds.test.ts checks passive health and the metric. Also in the request path's
 * mutation suite (it is the only test that reaches the Retry-After branch).
 */
const f = useFixtures();

const LISTENERS = ['node', 'engine'] as const;
const CLIENTS = ['engine', 'undici'] as const;

/**
 * Open descriptors until the lowered limit answers EMFILE and return them. A descriptor closed
 * after the helper listed the table leaves a free number under the limit — the previous test's
 * sockets reading their EOF, or the test runner's own files (under Stryker's threads pool
 * vitest's main thread shares this process). One such number let the upstream connect through:
 * the request reached the upstream, whose chunked 200 the old Content-Length-only reader never
 * finished, so the test timed out at 60 s (seen with `client: undici`, which ran second; the
 * balancer answered). Holding them makes the next connect meet the limit.
 */
function takeFreeDescriptors(max = 256): number[] {
  const taken: number[] = [];
  for (let i = 0; i < max; i++) {
    try {
      taken.push(openSync('/dev/null', 'r'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EMFILE') return taken;
      for (const fd of taken) closeSync(fd);
      throw err;
    }
  }
  for (const fd of taken) closeSync(fd);
  throw new Error(`opened ${max} descriptors without EMFILE: the limit was not lowered`);
}

/**
 * Run `fn` with this process's soft descriptor limit at its lowest free descriptor number, so
 * no new descriptor can be opened (the limit is on descriptor numbers). A helper process lowers
 * the limit and raises it again: raising it from here would need descriptors (a pipe to
 * `prlimit`). It lists our descriptors itself: a listing from here would count the directory
 * handle it reads through, which is closed again right after.
 */
async function withoutFreeDescriptors<T>(fn: () => Promise<T>): Promise<T> {
  const pid = process.pid;
  const soft = execFileSync('prlimit', ['--pid', String(pid), '--nofile', '--output', 'SOFT', '--noheadings']).toString().trim();
  const script = `low=0; while [ -e /proc/${pid}/fd/$low ]; do low=$((low+1)); done; prlimit --pid ${pid} --nofile=$low:; echo lowered; read _; prlimit --pid ${pid} --nofile=${soft}:; echo restored`;
  const helper = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  f.cleanups.push(() => void helper.kill());
  let said = '';
  helper.stdout.on('data', (c: Buffer) => (said += c.toString()));
  const closed = new Promise((resolve) => helper.once('close', resolve)); // exited, its output read
  let taken: number[] = [];
  try {
    await waitFor(() => said.includes('lowered'), { what: 'the lowered descriptor limit' });
    taken = takeFreeDescriptors();
    return await fn();
  } finally {
    for (const fd of taken) closeSync(fd);
    helper.stdin.end('\n');
    await closed;
    expect(said).toContain('restored');
  }
}

/** Send `payload` on `socket` and resolve with the first whole answer (Content-Length or chunked). */
function exchange(socket: net.Socket, payload: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (c: Buffer): void => {
      data += c.toString('latin1');
      if (completeResponse(data)) {
        socket.off('data', onData);
        resolve(parseAnswer(data, false));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(payload);
  });
}

describe.each(LISTENERS.flatMap((listener) => CLIENTS.map((client) => [listener, client] as const)))('listener %s, upstream client %s', (listener, client) => {
  it('the balancer out of descriptors (EMFILE on the upstream connect): 503 LOCAL_RESOURCES_EXHAUSTED with Retry-After: 1', async () => {
    const up = await startScriptedUpstream('s1');
    f.cleanups.push(() => up.close());
    const listen = { host: '127.0.0.1', port: 0, server: listener };
    f.balancer = await startTestBalancer({ listen, routes: [{ prefix: '/api', upstream: 'default' }], upstreams: { default: { servers: [up.address], client } } });
    const socket = net.connect(f.balancer.port, '127.0.0.1');
    f.cleanups.push(() => void socket.destroy());
    // A first request the balancer answers itself: the connection is accepted and kept alive.
    expect((await exchange(socket, 'GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(404);
    expect(up.connections.opened).toBe(0); // no pooled upstream connection to reuse
    const r = await withoutFreeDescriptors(() => exchange(socket, 'GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect([r.status, (JSON.parse(r.body) as { code: string }).code]).toEqual([503, 'LOCAL_RESOURCES_EXHAUSTED']);
    expect(r.headers['retry-after']).toBe('1');
    expect(up.exchanges).toHaveLength(0);
    // Not the peer's fault: the next request goes to it (on the same connection, so the test
    // leaves no idle keep-alive socket behind to close during the next test's lowered limit).
    expect((await exchange(socket, 'GET /api/y HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(200);
  });
});
