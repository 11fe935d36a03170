import { createRequire } from 'node:module';
import type { Agent as AgentType, Dispatcher, Pool as PoolType } from 'undici';

/**
 * The parts of undici the balancer uses, loaded one by one. `import … from 'undici'` loads its
 * whole index — fetch, WebSocket, caches, mocks, the HTTP/2 client and with it `node:http2`,
 * `node:https` and `node:tls` — ~21 MB of RSS and ~170 ms of start-up on this machine; Pool,
 * Agent and the `request` API alone are ~12 MB (mostly undici's llhttp WASM). undici has no
 * `exports` map, so these paths are public files; `test/memory.test.ts` checks the index and
 * the TLS/HTTP2 modules stay unloaded in a plain-HTTP balancer. Types come from the index.
 */
const load = createRequire(import.meta.url);

export const Pool = load('undici/lib/dispatcher/pool.js') as typeof PoolType;
export const Agent = load('undici/lib/dispatcher/agent.js') as typeof AgentType;
export type Pool = PoolType;
export type Agent = AgentType;

const apiRequest = load('undici/lib/api/api-request.js') as Dispatcher['request'];

/** `undici.request(url, { dispatcher, … })` without the index: one request on `dispatcher`. */
export function request(
  dispatcher: Dispatcher,
  url: string,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>,
): Promise<Dispatcher.ResponseData> {
  const { origin, pathname, search } = new URL(url);
  return apiRequest.call(dispatcher, { ...options, origin, path: `${pathname}${search}` }) as Promise<Dispatcher.ResponseData>;
}
