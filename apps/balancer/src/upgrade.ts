import { connect, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RouteConfig } from '@fleet/config';
import type { BalancerErrorCode } from './errors.js';
import { writeRawError } from './raw-response.js';
import type { ForwardHeaders } from './headers.js';
import { splitHostPort } from './upstreams/discovery.js';
import type { Upstream } from './upstreams/upstream.js';

/**
 * WebSocket / `Upgrade` proxying: pick a peer like any request (connect failures move to the
 * next candidate: nothing was sent yet), replay the request head on a raw TCP connection, then
 * pipe bytes both ways. The upstream's 101 answer goes to the client as is. Either side idle
 * for the route's `websocketIdleTimeoutMs` closes both.
 */
export interface UpgradeInput {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  upstream: Upstream;
  route: RouteConfig;
  path: string;
  headers: ForwardHeaders;
  clientIp: string;
  hashKey?: string | undefined;
}

export interface UpgradeDeps {
  now: () => number;
  logger: { warn(obj: object, msg: string): void };
}

function dial(address: string, timeoutMs: number): Promise<Socket> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function requestHead(input: UpgradeInput): string {
  const lines = [`${input.req.method ?? 'GET'} ${input.path} HTTP/1.1`];
  const headers: ForwardHeaders = { ...input.headers, connection: 'upgrade', upgrade: String(input.req.headers.upgrade ?? 'websocket') };
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function splice(client: Duplex, upstreamSocket: Socket, idleMs: number, onDone: () => void): void {
  let done = false;
  const close = (): void => {
    if (done) return;
    done = true;
    client.destroy();
    upstreamSocket.destroy();
    onDone();
  };
  for (const s of [client, upstreamSocket]) {
    s.on('error', close).on('close', close);
    if ('setTimeout' in s && typeof s.setTimeout === 'function') (s as Socket).setTimeout(idleMs, close);
  }
  client.pipe(upstreamSocket);
  upstreamSocket.pipe(client);
}

export async function proxyUpgrade(input: UpgradeInput, deps: UpgradeDeps): Promise<void> {
  const { upstream } = input;
  const group = upstream.group;
  const tries = upstream.config.nextUpstream.tries;
  const it = group.candidates({ now: deps.now(), clientIp: input.clientIp, hashKey: input.hashKey }, tries === 0 ? Number.MAX_SAFE_INTEGER : tries);
  let lastCode: BalancerErrorCode = 'NO_LIVE_UPSTREAM';
  for (const pick of it) {
    if (!pick.ok || input.socket.destroyed) break;
    const t0 = deps.now();
    try {
      const upstreamSocket = await dial(pick.peer.address, upstream.config.timeouts.connectMs);
      group.report(pick.peer.id, { ok: true, now: deps.now(), latencyMs: deps.now() - t0 });
      group.acquire(pick.peer.id);
      upstreamSocket.write(requestHead(input));
      if (input.head.length > 0) upstreamSocket.write(input.head);
      splice(input.socket, upstreamSocket, input.route.websocketIdleTimeoutMs, () => group.release(pick.peer.id));
      return;
    } catch (err) {
      group.report(pick.peer.id, { ok: false, now: deps.now(), latencyMs: deps.now() - t0 });
      lastCode = (err as { code?: string }).code === 'ETIMEDOUT' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_CONNECT_FAILED';
      deps.logger.warn({ group: group.name, peer: pick.peer.id, err }, 'upgrade: upstream connect failed');
    }
  }
  if (!input.socket.destroyed) writeRawError(input.socket, lastCode, 'no upstream accepted the upgrade');
}
