import type { Duplex } from 'node:stream';
import { BALANCER_ERRORS, type BalancerErrorCode } from './errors.js';

/**
 * A JSON error written straight to a socket, for the moments without a ServerResponse:
 * refused upgrades and client errors caught by the HTTP parser (431, 408, 400).
 */
export function writeRawError(socket: Duplex, code: BalancerErrorCode, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ code, message });
  socket.end(
    `HTTP/1.1 ${BALANCER_ERRORS[code]} ${code}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
