/** An upstream that answers every request with 503 (what an overloaded replica says). */
import http from 'node:http';

export interface Responder {
  port: number;
  answered(): number;
  close(): Promise<void>;
}

export function start503(port: number): Promise<Responder> {
  let answered = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      answered++;
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"code":"QUEUE_FULL","message":"overloaded"}');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        port,
        answered: () => answered,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    );
  });
}
