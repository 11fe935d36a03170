/**
 * Connections that hold a proxy's resources: idle ones that never send a byte, and uploads
 * stalled one byte short of their Content-Length. Both behave like an attacker: they never
 * close on their own (allowHalfOpen, so a FIN from the proxy is not answered), and release()
 * destroys them all.
 */
import net from 'node:net';

export interface Held {
  /** Sockets the proxy has closed (or reset) so far. */
  closedByPeer(): number;
  /** Local ports of the held sockets (the proxy sees them as its peers' ports). */
  localPorts(): number[];
  release(): void;
}

function hold(sockets: net.Socket[]): Held {
  let closed = 0;
  for (const s of sockets) {
    // Discard what the proxy answers (a 408, say): a paused socket would never see its 'end'.
    s.resume();
    s.once('end', () => closed++);
    s.on('error', () => undefined); // a reset from the proxy is the outcome being observed, counted through 'close'
    s.once('close', (hadError) => {
      if (hadError) closed++;
    });
  }
  const ports = sockets.map((s) => s.localPort ?? 0);
  return { closedByPeer: () => closed, localPorts: () => ports, release: () => sockets.forEach((s) => s.destroy()) };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

export async function openIdle(port: number, count: number): Promise<Held> {
  const sockets = await Promise.all(Array.from({ length: count }, () => connect(port)));
  return hold(sockets);
}

/** `count` POSTs with `Content-Length: size`, each sending size - 1 bytes, then nothing. */
export async function openStalledUploads(port: number, count: number, size: number): Promise<Held> {
  const head = Buffer.from(`POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
  const body = Buffer.alloc(size - 1, 0x61);
  body.write('{"text":"');
  const sockets = await Promise.all(
    Array.from({ length: count }, async () => {
      const s = await connect(port);
      s.write(head);
      s.write(body);
      return s;
    }),
  );
  return hold(sockets);
}
