// Test helper: hold loopback ports open (to make them "in use"), release them after each test.
import net from 'node:net';

const held: net.Server[] = [];

/** Listen on a free loopback port and keep it until releaseBusyPorts(). */
export function occupyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      held.push(server);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export async function releaseBusyPorts(): Promise<void> {
  await Promise.all(held.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
}
