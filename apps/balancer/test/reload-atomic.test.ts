import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { adminStatus, get, startTestBalancer, testConfig } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { waitFor } from './helpers/wait.js';

/**
 * Atomic reload (README "How a request flows", issue 9 item 1): a reload builds the next
 * snapshot completely, DNS included, and swaps it once; a request keeps the snapshot it
 * started with. Two configs are built so that every whole config sends `/` to backend A and
 * any mix of one config's routes with the other's groups sends it to backend B (or to no
 * group at all): a single answer from B, or a 502, is a half-applied config.
 */
const f = useFixtures();

const config = testConfig;

interface Gate {
  open(): void;
  wait(): Promise<void>;
}

function gate(): Gate {
  let opened = false;
  const waiters: (() => void)[] = [];
  return {
    open() {
      opened = true;
      for (const w of waiters.splice(0)) w();
    },
    wait: () => (opened ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}

async function setup(dns: Gate) {
  const [a, b] = await Promise.all([startBackend('A'), startBackend('B')]);
  if (a === undefined || b === undefined) throw new Error('backends did not start');
  f.backends = [a, b];
  // X: `/` → gx = A.  Y: `/` → gy = a.test (A, through DNS), gx = B.  X routes + Y groups → B; Y routes + X groups → gy = B.
  const x = config({ upstreams: { gx: { servers: [a.address] }, gy: { servers: [b.address] } }, routes: [{ prefix: '/', upstream: 'gx' }] });
  const y = config({
    upstreams: { gx: { servers: [b.address] }, gy: { servers: [`a.test:${a.port}`] } },
    routes: [{ prefix: '/', upstream: 'gy' }],
  });
  const lookup = async (host: string) => {
    await dns.wait();
    await new Promise((resolve) => setTimeout(resolve, 2)); // a real lookup takes a turn of the event loop
    if (host !== 'a.test') throw Object.assign(new Error(`unknown host ${host}`), { code: 'ENOTFOUND' });
    return [{ address: '127.0.0.1', family: 4 }];
  };
  f.balancer = await startTestBalancer({ upstreams: { gx: { servers: [a.address] }, gy: { servers: [b.address] } }, routes: [{ prefix: '/', upstream: 'gx' }] }, { lookup });
  return { x, y, port: f.balancer.port };
}

describe('reload is atomic', () => {
  it('while the next config waits for DNS, requests are served whole by the running one; then whole by the next', async () => {
    const dns = gate();
    const { y, port } = await setup(dns);
    const balancer = f.balancer;
    if (balancer === undefined) throw new Error('no balancer');
    const reloaded = balancer.reload(y);
    for (let i = 0; i < 5; i++) {
      const r = await get(port, `/during-${i}`);
      expect([r.status, r.headers['x-server-id']]).toEqual([200, 'A']);
    }
    expect(balancer.config.routes[0]?.upstream).toBe('gx'); // not applied yet
    dns.open();
    await reloaded;
    expect(balancer.config.routes[0]?.upstream).toBe('gy');
    const r = await get(port, '/after');
    expect([r.status, r.headers['x-server-id']]).toEqual([200, 'A']);
  });

  it('under load, with reloads back and forth, no request sees a mix of two configs', async () => {
    const dns = gate();
    dns.open();
    const { x, y, port } = await setup(dns);
    const balancer = f.balancer;
    if (balancer === undefined) throw new Error('no balancer');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const answers = new Map<string, number>();
    let stop = false;
    const client = async (n: number): Promise<void> => {
      for (let i = 0; i < 400 && !stop; i++) {
        const key = await new Promise<string>((resolve) => {
          http
            .get({ port, host: '127.0.0.1', path: `/load/${n}/${i}`, agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(`${res.statusCode} ${String(res.headers['x-server-id'])}`));
            })
            .on('error', (err) => resolve(`error ${err.message}`));
        });
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
    };
    const clients = Promise.all([0, 1, 2, 3, 4, 5].map(client));
    for (let i = 0; i < 30; i++) await balancer.reload(i % 2 === 0 ? y : x);
    stop = true;
    await clients;
    agent.destroy();
    expect(Object.fromEntries(answers)).toEqual({ '200 A': expect.any(Number) as number });
  });

  it('a request that started on a group the reload removes still finishes on it', async () => {
    const a = await startBackend('A');
    f.backends = [a];
    f.balancer = await startTestBalancer({ upstreams: { old: { servers: [a.address] } }, routes: [{ prefix: '/', upstream: 'old' }] });
    const { port } = f.balancer;
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/upload', headers: { 'content-length': '10' } });
    const answer = new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
    });
    req.write('hello');
    const balancer = f.balancer;
    await waitFor(async () => (await adminStatus(balancer)).reading === 1, { what: 'the body being read' });
    await balancer.reload(config({ upstreams: { fresh: { servers: [a.address] } }, routes: [{ prefix: '/', upstream: 'fresh' }] }));
    expect(balancer.upstreams.get('old')).toBeUndefined();
    req.end('world');
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ server_id: 'A', body: 'helloworld' });
  });
});
