import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import net, { type Server, type Socket } from 'node:net';
import type { BalancerErrorCode } from '../../errors.js';
import type { RequestHead } from '../request-parser.js';
import { ClientConnection, type ConnectionTimeouts } from './connection.js';

/**
 * The engine's plain-HTTP listener (`listen.server: engine`): a `net.Server` whose connections
 * the engine owns (`connection.ts`), feeding the same request handler as the node listener.
 * Heads the engine does not serve itself (`handOff`) take their connection to `fallback`, the
 * node:http server with every listener the node path has (upgrade, connect, checkContinue,
 * clientError), which never listens itself. Timeouts are checked by one sweep per listener,
 * at node:http's `connectionsCheckingInterval`; on `close()` idle connections are closed at
 * once and busy ones after their response, as node:http does.
 */
export interface EngineListenerDeps {
  handler(req: IncomingMessage, res: ServerResponse): void;
  fallback: HttpServer;
  handOff(head: RequestHead): boolean;
  clientError(socket: Socket, code: BalancerErrorCode): void;
  socketError(err: Error): void;
  maxHeaderSize(): number;
  timeouts(): ConnectionTimeouts;
  checkIntervalMs(): number;
  closing(): boolean;
  now(): number;
}

export function createEngineListener(deps: EngineListenerDeps): Server {
  const connections = new Set<ClientConnection>();
  let draining = false;
  // node:http starts its own timeout sweep on 'listening': the fallback never listens, but
  // the connections handed to it need their header/request/keep-alive timeouts too.
  deps.fallback.emit('listening');
  const connectionDeps = {
    handler: deps.handler as unknown as ConstructorParameters<typeof ClientConnection>[1]['handler'],
    handOff: deps.handOff,
    adopt: (socket: Socket) => deps.fallback.emit('connection', socket),
    clientError: deps.clientError,
    socketError: deps.socketError,
    get maxHeaderSize() {
      return deps.maxHeaderSize();
    },
    timeouts: deps.timeouts,
    closing: () => draining || deps.closing(),
    now: deps.now,
    onGone: (conn: ClientConnection) => connections.delete(conn),
  };
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    connections.add(new ClientConnection(socket, connectionDeps));
  });
  let sweep: NodeJS.Timeout | undefined;
  server.on('listening', () => {
    sweep = setInterval(() => {
      const now = deps.now();
      for (const conn of connections) conn.check(now);
    }, deps.checkIntervalMs()).unref();
  });
  server.on('close', () => clearInterval(sweep));
  const close = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    draining = true;
    for (const conn of connections) conn.closeIfIdle();
    deps.fallback.close();
    return close(callback);
  };
  return server;
}
