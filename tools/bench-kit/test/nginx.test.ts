/**
 * A real NGINX: start, proxy, reload onto another upstream, graceful stop with no process and no
 * temp prefix left behind. Not installed: skipped visibly, a failure under CI=true unless
 * FLEET_SKIP names nginx.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortsInRange, nginxBinary, startNginx, type NginxProcess } from '../src/index.js';
import { skipWithout, upstream, type Upstream } from './fixtures.js';

const bin = nginxBinary();
const opened: Upstream[] = [];

afterAll(async () => {
  await Promise.all(opened.map((u) => u.close()));
});

const skip = skipWithout('nginx', bin !== undefined, "the bench kit's NGINX process test");

describe.skipIf(skip !== undefined)(`NGINX process${skip === undefined ? '' : ` (${skip})`}`, () => {
  it('proxies, reloads onto a new upstream set, and stops gracefully leaving nothing behind', async () => {
    const [a, b, listen] = await freePortsInRange(3, 24900, 24949);
    opened.push(await upstream('a', a ?? 0), await upstream('b', b ?? 0));
    const nginx: NginxProcess = await startNginx(bin ?? 'nginx', { port: listen ?? 0, servers: [`127.0.0.1:${a}`] });
    // a new connection per request: a kept-alive one may still reach a worker of the old config
    const get = (): Promise<string> =>
      new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: nginx.port, path: '/', agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        }).once('error', reject);
      });
    expect(await get()).toBe('a');
    expect(nginx.pids().length).toBeGreaterThanOrEqual(2); // master + a worker

    await nginx.reload({ port: nginx.port, servers: [`127.0.0.1:${b}`] });
    expect(await get()).toBe('b');

    const pids = nginx.pids();
    await nginx.stop('graceful');
    expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(existsSync(nginx.prefix)).toBe(false);
  });

  it('refuses a config nginx -t rejects, with BENCH_NGINX_FAILED', async () => {
    const [listen] = await freePortsInRange(1, 24950, 24959);
    await expect(startNginx(bin ?? 'nginx', { port: listen ?? 0, servers: ['127.0.0.1:1 bogus=1'] })).rejects.toMatchObject({ code: 'BENCH_NGINX_FAILED' });
  });
});
