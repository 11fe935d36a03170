/** Ports from a fixed range (each engineer and CI job has its own), checked free by binding. */
import net from 'node:net';
import { BENCH_KIT_ERRORS, BenchKitError } from './errors.js';

function tryListen(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined)); // EADDRINUSE / EACCES: try the next one
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server));
  });
}

/** `count` ports in [from, to] that could be bound on 127.0.0.1 (all held together, then released). */
export async function freePortsInRange(count: number, from: number, to: number): Promise<number[]> {
  const held: net.Server[] = [];
  try {
    for (let port = from; port <= to && held.length < count; port++) {
      const server = await tryListen(port);
      if (server) held.push(server);
    }
    if (held.length < count) {
      throw new BenchKitError(BENCH_KIT_ERRORS.NO_FREE_PORTS, `only ${held.length} of ${count} ports free in ${from}-${to}`);
    }
    return held.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
