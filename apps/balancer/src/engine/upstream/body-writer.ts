import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { headAndBody, ONE_WRITE_MAX } from '../head-and-body.js';
import type { SerialisedHead } from './request-head.js';
import { UPSTREAM_FAILURES, upstreamFailure } from './failures.js';

/**
 * Writes one request (head, then body) to an upstream socket. A buffer (a buffered or spooled
 * body in memory) goes out with the head in one write (copied into one buffer with it up to
 * `ONE_WRITE_MAX`, corked beyond); a stream (a client body streamed
 * through, or a spooled body read back from its temp file) is copied with backpressure: paused
 * while the socket's buffer is full, resumed on `drain`. Chunked framing when the length is
 * unknown; with a Content-Length, a body that sends a different number of bytes fails the
 * exchange (the peer would otherwise read the next request as body, or wait forever).
 */
export interface BodyWriter {
  /** The whole body was handed to the socket. */
  readonly finished: boolean;
  /** Stop copying (the exchange ended early or failed): an unfinished stream is destroyed, as undici does. */
  stop(): void;
}

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';
const DONE: BodyWriter = { finished: true, stop: () => undefined };

export function writeBody(socket: Socket, head: SerialisedHead, body: Buffer | Readable | null, fail: (err: Error) => void): BodyWriter {
  if (body === null || head.framing === 'none') {
    socket.write(head.head, 'latin1');
    return DONE;
  }
  if (Buffer.isBuffer(body)) {
    if (body.length <= ONE_WRITE_MAX) {
      socket.write(headAndBody(head.head, body));
      return DONE;
    }
    socket.cork();
    socket.write(head.head, 'latin1');
    socket.write(body);
    socket.uncork();
    return DONE;
  }
  socket.write(head.head, 'latin1');
  return copyStream(socket, head, body, fail);
}

function copyStream(socket: Socket, head: SerialisedHead, body: Readable, fail: (err: Error) => void): BodyWriter {
  const chunked = head.framing === 'chunked';
  let sent = 0;
  const state = { finished: false, stop };
  const onDrain = (): void => {
    body.resume();
  };
  function onData(chunk: Buffer): void {
    sent += chunk.length;
    if (!chunked && sent > head.length) return mismatch();
    let ok: boolean;
    if (chunked) {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}${CRLF}`, 'latin1');
      socket.write(chunk);
      ok = socket.write(CRLF, 'latin1');
      socket.uncork();
    } else ok = socket.write(chunk);
    if (!ok) {
      body.pause();
      socket.once('drain', onDrain);
    }
  }
  function onEnd(): void {
    if (!chunked && sent !== head.length) return mismatch();
    if (chunked) socket.write(LAST_CHUNK, 'latin1');
    state.finished = true;
    detach();
  }
  function onError(err: Error): void {
    detach();
    fail(err);
  }
  function mismatch(): void {
    detach();
    fail(upstreamFailure(UPSTREAM_FAILURES.BODY_LENGTH_MISMATCH, `request body is not the ${head.length} bytes its content-length says (${sent}+)`));
  }
  function detach(): void {
    body.off('data', onData);
    body.off('end', onEnd);
    body.off('error', onError);
    socket.off('drain', onDrain);
  }
  function stop(): void {
    detach();
    if (!state.finished && !body.destroyed) body.destroy();
  }
  body.on('data', onData);
  body.on('end', onEnd);
  body.on('error', onError);
  if (body.isPaused()) body.resume();
  return state;
}
