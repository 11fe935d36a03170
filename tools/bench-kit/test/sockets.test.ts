/** socketsHeldFor reads the real /proc: the server side of a connection counts until it is closed. */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { socketsHeldFor, waitFor } from '../src/index.js';

describe('socketsHeldFor', () => {
  it('counts a process\'s sockets whose peer port is given, and stops counting them once closed', async () => {
    const accepted: net.Socket[] = [];
    const server = net.createServer((s) => accepted.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const clients = await Promise.all([1, 2].map(() => new Promise<net.Socket>((resolve) => { const c = net.connect(port, '127.0.0.1', () => resolve(c)); })));
    await waitFor(async () => accepted.length === 2, { name: 'accept', timeoutMs: 5000 });
    const ports = new Set(clients.map((c) => c.localPort ?? 0));
    expect(socketsHeldFor([process.pid], ports)).toBe(2); // the server sides; the clients' own sockets have the server's port as peer
    accepted[0]?.destroy();
    await waitFor(async () => socketsHeldFor([process.pid], ports) === 1, { name: 'close', timeoutMs: 5000 });
    clients.forEach((c) => c.destroy());
    accepted.forEach((s) => s.destroy());
    await new Promise((resolve) => server.close(resolve));
  });
});
