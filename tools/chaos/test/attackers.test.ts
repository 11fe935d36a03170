/**
 * The attackers behave like the real thing: idle sockets stay open after the server ends its
 * side (so a server that only half-closes keeps the fd, as the finding describes), and
 * a stalled upload delivers exactly Content-Length - 1 bytes.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@fleet/bench-kit';
import { openIdle, openStalledUploads } from '../src/attackers.js';

let server: net.Server | undefined;
const accepted: net.Socket[] = [];

function listen(onSocket: (s: net.Socket) => void): Promise<number> {
  server = net.createServer({ allowHalfOpen: true }, (s) => {
    accepted.push(s);
    onSocket(s);
  });
  return new Promise((resolve) => server?.listen(0, '127.0.0.1', () => resolve((server?.address() as AddressInfo).port)));
}

afterEach(async () => {
  accepted.splice(0).forEach((s) => s.destroy());
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('openIdle', () => {
  it('keeps its sockets open after the server half-closes them, until release()', async () => {
    const serverSide: net.Socket[] = [];
    const port = await listen((s) => {
      serverSide.push(s);
      s.end(); // like a 408 followed by end(): FIN sent, the socket is not destroyed
    });
    const held = await openIdle(port, 5);
    await waitFor(async () => held.closedByPeer() === 5, { name: 'FINs', timeoutMs: 5000 });
    await delay(100); // give a client that answers FINs the chance to do it; ours must not
    expect(serverSide.filter((s) => !s.readableEnded)).toHaveLength(5); // no FIN came back from the attacker
    held.release();
    await waitFor(async () => serverSide.every((s) => s.readableEnded || s.destroyed), { name: 'release', timeoutMs: 5000 });
  });
});

describe('openStalledUploads', () => {
  it('sends the head and Content-Length - 1 body bytes, then nothing', async () => {
    const head = 'POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n'.length;
    const bytes: number[] = [];
    const port = await listen((s) => {
      const i = bytes.push(0) - 1;
      s.on('data', (c: Buffer) => (bytes[i] = (bytes[i] ?? 0) + c.length));
    });
    const held = await openStalledUploads(port, 3, 1000);
    await waitFor(async () => bytes.length === 3 && bytes.every((b) => b === head + 999), { name: 'uploads', timeoutMs: 5000 });
    await delay(100); // nothing more arrives
    expect(bytes).toEqual([head + 999, head + 999, head + 999]);
    held.release();
  });
});
