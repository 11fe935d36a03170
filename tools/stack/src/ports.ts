/** Port I/O at the edge: is a port free on this host, and which free ports can we have. */
import net from 'node:net';
import { STACK_ERRORS, StackError } from './errors.js';
import type { PortSlot } from './port-plan.js';

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

function errorCode(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : String(error);
}

/** Every fixed port is tried (bind + close); all busy ones are named in one error. */
export async function assertPortsFree(host: string, slots: readonly PortSlot[]): Promise<void> {
  const busy: string[] = [];
  for (const slot of slots) {
    if (slot.port === 0) continue;
    try {
      await close(await listen(host, slot.port));
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'EADDRINUSE') {
        throw new StackError(
          STACK_ERRORS.PORT_CHECK_FAILED,
          `cannot listen on ${host}:${slot.port} (needed by ${slot.owner}): ${code}`,
          { cause: error },
        );
      }
      busy.push(`port ${slot.port} (${slot.owner})`);
    }
  }
  if (busy.length > 0) {
    throw new StackError(
      STACK_ERRORS.PORT_IN_USE,
      `already in use on ${host}: ${busy.join(', ')}. Stop whatever listens there ` +
        `(e.g. a stack that is still running), or choose other ports with --port / --admin-port / --replica-port (0 = any free port).`,
    );
  }
}

/** `count` distinct free ports: all held open together, then released. */
export async function allocateFreePorts(host: string, count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(host, 0));
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map(close));
  }
}
