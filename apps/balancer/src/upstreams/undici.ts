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

export type Pool = PoolType;
export type Agent = AgentType;

/**
 * Each part is loaded on first use, not at import: a balancer whose groups all use the engine
 * (`client: engine`) and no health checks loads no undici at all, and with it neither
 * `node:http2` nor `node:tls` (`test/engine-memory.test.ts`).
 */
export function createPool(origin: string, options: PoolType.Options): Pool {
  const PoolClass = load('undici/lib/dispatcher/pool.js') as typeof PoolType;
  return new PoolClass(origin, options);
}

export function createAgent(options: AgentType.Options): Agent {
  const AgentClass = load('undici/lib/dispatcher/agent.js') as typeof AgentType;
  return new AgentClass(options);
}

/** `undici.request(url, { dispatcher, … })` without the index: one request on `dispatcher`. */
export function request(
  dispatcher: Dispatcher,
  url: string,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>,
): Promise<Dispatcher.ResponseData> {
  const { origin, pathname, search } = new URL(url);
  const apiRequest = load('undici/lib/api/api-request.js') as Dispatcher['request'];
  return apiRequest.call(dispatcher, { ...options, origin, path: `${pathname}${search}` }) as Promise<Dispatcher.ResponseData>;
}
