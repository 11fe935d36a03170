import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { startScriptedUpstream, type Exchange, type ScriptedUpstream } from './helpers/scripted-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * Streaming both ways (README: "streamed when requestBuffering: false"; "the response body is
 * streamed to the client"): each side sees the first chunk while the other still holds the
 * last one back, which a balancer that buffers whole bodies can never do.
 */
const f = useFixtures();

async function setup(extra: Record<string, unknown>): Promise<{ up: ScriptedUpstream; port: number }> {
  const up = await startScriptedUpstream('s1');
  f.cleanups.push(() => up.close());
  f.balancer = await startTestBalancer({ upstreams: { default: { servers: [up.address] } }, ...extra });
  return { up, port: f.balancer.port };
}

describe('request bodies with requestBuffering: false', () => {
  it('reach the upstream chunk by chunk: the first arrives before the client sends the last', async () => {
    const { up, port } = await setup({ requestBuffering: false });
    const req = http.request({ host: '127.0.0.1', port, path: '/upload', method: 'PUT', agent: false });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.write('first-chunk;');
    const ex = await waitFor(() => up.exchanges[0], { what: 'the request head at the upstream' });
    await waitFor(() => Buffer.concat(ex.chunks).toString() === 'first-chunk;', { what: 'the first chunk at the upstream while the client holds the rest' });
    req.end('last-chunk');
    const r = await response;
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as { body: string }).body).toBe('first-chunk;last-chunk');
  });

  it('are buffered whole by default (NGINX proxy_request_buffering on)', async () => {
    const { up, port } = await setup({});
    const req = http.request({ host: '127.0.0.1', port, path: '/upload', method: 'PUT', agent: false });
    const status = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    req.write('first-chunk;');
    // The balancer has the first chunk (its reading counter says so) and the upstream has nothing yet.
    await waitFor(async () => (await get(f.balancer?.adminPort ?? 0, '/status')).json.reading === 1, { what: 'the balancer reading the body' });
    expect(up.exchanges).toHaveLength(0);
    req.end('last-chunk');
    expect(await status).toBe(200);
    expect((await up.exchanges[0]?.body)?.toString()).toBe('first-chunk;last-chunk');
  });
});

describe('response bodies', () => {
  it('reach the client chunk by chunk: the first arrives before the upstream sends the last', async () => {
    const { up, port } = await setup({});
    const held: Exchange[] = [];
    up.onRequest = (ex) => {
      held.push(ex);
      ex.res.writeHead(200, { 'content-type': 'text/plain' });
      ex.res.write('first-chunk;');
    };
    const received: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/download', agent: false }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => received.push(c));
        res.on('end', resolve);
        res.on('error', reject);
      }).on('error', reject);
    });
    await waitFor(() => received.join('') === 'first-chunk;', { what: 'the first chunk at the client while the upstream holds the rest' });
    held[0]?.res.end('last-chunk');
    await done;
    expect(received.join('')).toBe('first-chunk;last-chunk');
  });
});
