import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { BalancerConfig } from '@fleet/config';
import type { BalancerErrorCode } from './errors.js';
import type { ConnectionTimeouts } from './engine/client/connection.js';
import { createEngineListener } from './engine/client/listener.js';
import type { RequestHead } from './engine/request-parser.js';
import type { HandlerContext } from './handler.js';
import { serverLimitOptions } from './limits/index.js';

/**
 * The plain listener on the engine (`listen.server: engine`, `engine/client/`), with the node
 * listener's limits and answers. Decided per request head: the engine serves every plain
 * HTTP/1.x request it can relay; a head that needs node:http's machinery goes to the node
 * server (`plain`, with its upgrade/connect/checkContinue/clientError listeners), and the
 * connection stays there:
 * - Upgrade (WebSocket) and CONNECT (llhttp flags both as upgrades);
 * - `Expect` (node:http answers `100-continue` and refuses the rest with 417);
 * - `OPTIONS *` (answered once the request is complete, node:http's way);
 * - any request while static mounts are configured (the static server streams files through
 *   a ServerResponse).
 */
type Limits = BalancerConfig['limits'];

function hasExpect(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 6 && name.toLowerCase() === 'expect') return true;
  }
  return false;
}

export function engineListener(
  ctx: HandlerContext,
  plain: HttpServer,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: () => Limits,
  clientError: (socket: Socket, code: BalancerErrorCode) => void,
): Server {
  // The timeouts and sweep interval of the running limits, derived once per config (read per request and per sweep).
  let seen: Limits | undefined;
  let timeouts: ConnectionTimeouts = { headersTimeoutMs: 0, requestTimeoutMs: 0, keepAliveTimeoutMs: 0 };
  let checkIntervalMs = 0;
  const current = (): ConnectionTimeouts => {
    const l = limits();
    if (l !== seen) {
      seen = l;
      const o = serverLimitOptions(l);
      timeouts = { headersTimeoutMs: o.headersTimeout, requestTimeoutMs: o.requestTimeout, keepAliveTimeoutMs: o.keepAliveTimeout };
      checkIntervalMs = o.connectionsCheckingInterval;
    }
    return timeouts;
  };
  const handOff = (head: RequestHead): boolean =>
    head.upgrade || head.url === '*' || ctx.snapshots.get().serveStatic !== null || hasExpect(head.rawHeaders);
  return createEngineListener({
    handler,
    fallback: plain,
    handOff,
    clientError,
    socketError: (err: Error & { code?: string }) => ctx.logger.debug({ code: err.code ?? 'UNKNOWN', reason: err.message }, 'client socket error'),
    maxHeaderSize: () => limits().maxHeaderSize,
    timeouts: current,
    checkIntervalMs: () => {
      current();
      return checkIntervalMs;
    },
    closing: () => ctx.closing(),
    now: () => performance.now(),
  });
}
