import type { Duplex } from 'node:stream';
import { BALANCER_ERRORS, type BalancerErrorCode } from './errors.js';
import { REQUEST_ID_HEADER } from './trace/trace-context.js';

/**
 * A JSON error written straight to a socket, for the moments without a ServerResponse:
 * refused upgrades, CONNECT and client errors caught by the HTTP parser (431, 408, 400).
 */

/** How long a closing connection may still drain what the client sends (NGINX lingering_timeout). */
export const LINGER_MS = 2000;

/**
 * End the connection and make sure it is gone: half-closing alone (`end()`) leaves the
 * descriptor open for as long as the client keeps its side open (a slowloris client never
 * closes). What the client still sends is read and dropped while the answer drains (so the
 * kernel does not reset the connection and lose the answer), then the socket is destroyed at
 * once when the client closes, or after LINGER_MS.
 */
export function closeAfterWrite(socket: Duplex, data?: string): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.resume();
  if (data === undefined) socket.end();
  else socket.end(data);
}

/** Returns the status written (0 when the socket was no longer writable and was destroyed). */
export function writeRawError(socket: Duplex, code: BalancerErrorCode, message: string, headers: Record<string, string> = {}): number {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy(); // part of a response already went out: another head would corrupt it
    return 0;
  }
  const requestId = headers[REQUEST_ID_HEADER];
  const body = JSON.stringify(requestId === undefined ? { code, message } : { code, message, requestId });
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const status = BALANCER_ERRORS[code];
  closeAfterWrite(
    socket,
    `HTTP/1.1 ${status} ${code}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
  return status;
}
