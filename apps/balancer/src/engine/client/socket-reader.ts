import type { Socket } from 'node:net';
import type { ParseFailure, RequestParser } from '../request-parser.js';

/**
 * How an engine connection reads its client socket. llhttp consumes the socket's handle
 * (`RequestParser.consume`, node:http's own way): a read is parsed natively into one shared
 * buffer, with no 'data' event and no Buffer per read; `onRead` hears how much of it was
 * parsed (or the failure) and `rest(offset)` copies what is left of it (the bytes after a head
 * handed to node:http). Whether the handle reads is decided here, as node:http's
 * `onSocketPause`/`onSocketResume` do: it reads unless `hold` (the pipelining look-ahead bound)
 * or the socket is paused (a request body's reader is behind: the connection pauses the socket,
 * node's `IncomingMessage._read` resumes it). The socket's JS stream never starts the handle
 * meanwhile (its `_read` is a no-op while consumed). `release()` gives the socket back to its JS
 * stream: a hand-off to node:http, or a closing connection that reads and drops what is left.
 * A socket without a stream handle is read through 'data', with the same `onRead`.
 */
interface StreamHandle {
  reading?: boolean;
  readStart(): number;
  readStop(): number;
}

interface ConsumedSocket {
  _handle: StreamHandle | null;
  _read: unknown;
  _paused?: boolean;
}

const noRead = (): void => undefined;

export class SocketReader {
  private held = false;
  private released = false;
  private readonly native: boolean;
  /** Through 'data' only: the chunk being parsed. */
  private chunk: Buffer | undefined;
  private readonly update = (): void => this.decide();
  private readonly onData = (chunk: Buffer): void => {
    this.chunk = chunk;
    const parsed = this.parser.feed(chunk);
    this.onRead(parsed);
    this.chunk = undefined;
  };

  constructor(
    private readonly socket: Socket,
    private readonly parser: RequestParser,
    private readonly onRead: (parsed: number | ParseFailure) => void,
  ) {
    this.native = parser.consume(socket, onRead);
    if (!this.native) {
      socket.on('data', this.onData);
      return;
    }
    (socket as unknown as ConsumedSocket)._read = noRead;
    socket.on('pause', this.update);
    socket.on('resume', this.update);
  }

  /** Inside `onRead` only: what is left of the read from `offset` (a copy). */
  rest(offset: number): Buffer {
    return this.native ? this.parser.rest(offset) : (this.chunk as Buffer).subarray(offset);
  }

  /** Stop (or start again) reading while requests wait their turn. */
  hold(on: boolean): void {
    if (this.held === on || this.released) return;
    this.held = on;
    // node:http's flag: `IncomingMessage._read` does not resume a socket held for pipelining.
    (this.socket as unknown as ConsumedSocket)._paused = on;
    if (on) this.socket.pause();
    else this.socket.resume();
    this.decide();
  }

  /**
   * A request's body is whole: the next message is read, whatever the body's reader left paused
   * (the read that ended the body may have filled its buffer, and a reader of an ended body never
   * resumes the socket again). node:http's `readStart` in `parserOnMessageComplete`; a hold stays.
   */
  bodyEnded(): void {
    if (!this.held && !this.released) this.socket.resume();
  }

  /** The socket's JS stream reads it again (paused: whoever takes it resumes it). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const socket = this.socket as unknown as ConsumedSocket & Socket;
    socket._paused = false;
    if (!this.native) {
      socket.off('data', this.onData);
      return;
    }
    socket.off('pause', this.update);
    socket.off('resume', this.update);
    this.parser.unconsume();
    delete (socket as { _read?: unknown })._read; // net.Socket's own again
    // The stream thinks a read of its own is pending (it never got a byte while consumed), so it
    // would not start the handle again itself: reading goes on, into the stream's buffer (which
    // stops the handle at its high-water mark) until whoever takes the socket resumes it.
    const handle = socket._handle;
    if (handle !== null && handle.reading !== true) {
      handle.reading = true;
      handle.readStart();
    }
  }

  private decide(): void {
    const handle = (this.socket as unknown as ConsumedSocket)._handle;
    if (!this.native || this.released || handle === null) return;
    const read = !this.held && this.socket.readableFlowing !== false;
    if (read === (handle.reading === true)) return;
    handle.reading = read;
    if (read) handle.readStart();
    else handle.readStop();
  }
}
