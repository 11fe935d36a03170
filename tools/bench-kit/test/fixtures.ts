/** A loopback HTTP upstream for the kit's tests: answers its name, or 503 when told to. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { missingTool, missingToolError } from '../../../.ci/require-tool.mjs';

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

/**
 * The repository's rule for a test that needs a system tool (`.ci/require-tool.mjs`): undefined
 * when it is there; missing, a skip message outside CI (logged for the CI summary), and under
 * CI=true a thrown error unless FLEET_SKIP names the tool, so CI cannot pass by testing nothing.
 */
export function skipWithout(tool: string, found: boolean, check: string): string | undefined {
  if (found) return undefined;
  const what = `${check} (apt-get install -y ${tool})`;
  if (missingTool(tool, what) === 'fail') throw new Error(missingToolError(tool, what));
  return `skipped: apt-get install -y ${tool}`;
}
