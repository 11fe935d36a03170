import { Socket } from 'node:net';
import { EngineRequest } from '../../src/engine/client/request.js';

/** The engine listener's request with `chunks` pushed (and the end, when `complete`), as before its handler runs. */
export function engineRequest(chunks: string[], complete: boolean): EngineRequest {
  const req = new EngineRequest(new Socket());
  req.headers = {};
  for (const c of chunks) req.push(Buffer.from(c));
  if (complete) {
    req.complete = true;
    req.push(null);
  }
  return req;
}
