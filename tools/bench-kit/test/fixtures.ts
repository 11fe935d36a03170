/** A loopback HTTP upstream for the kit's tests: answers its name, or 503 when told to. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  port: number;
  close(): Promise<void>;
}

export function upstream(name: string, port: number, status: (n: number) => number = () => 200): Promise<Upstream> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status(n++), { 'content-type': 'text/plain' });
      res.end(name);
    });
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}
