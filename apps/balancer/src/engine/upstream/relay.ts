import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { AttemptControl, RunningAttempt } from '../../attempt.js';
import { ClientRelay } from '../../client-relay.js';
import { responseHeadersFromRaw, type ForwardHeaders } from '../../headers.js';
import { CancelledError } from '../../upstream-relay.js';
import type { ResponseSink, UpstreamConnection } from './connection.js';
import type { PeerPool } from './pool.js';
import { serialiseHead, type BodyShape, type SerialisedHead } from './request-head.js';

/**
 * One upstream exchange on the engine's own client, with exactly the contract of
 * `relayUpstream` (`upstream-relay.ts`, the undici path): at the final response head
 * `decide(status)` says whether the answer goes to the client (written to its ServerResponse,
 * pausing the upstream socket while the client is slow) or is read and dropped so that the
 * socket can serve again; it reports (`control.settled`) `relayed`, `discarded`, `failed` (error codes as
 * `upstream-errors.ts` classifies them) or `cancelled`. It only reports; the walk decides.
 * The headers timeout is exact and starts once the request has a socket: the socket's own
 * timer (`UpstreamConnection.send`, one `ExactDeadline` per socket, armed per request).
 */
export interface EngineRequest {
  method: string;
  path: string;
  headers: ForwardHeaders;
  body: Buffer | Readable | null;
}

class EngineExchange extends ClientRelay implements ResponseSink, RunningAttempt {
  private conn: UpstreamConnection | undefined;
  private cancelWait: (() => void) | undefined;

  start(pool: PeerPool, request: EngineRequest): void {
    let head: SerialisedHead;
    try {
      head = serialiseHead(request.method, request.path, request.headers, bodyShape(request.body), pool.address);
    } catch (err) {
      return this.onError(err instanceof Error ? err : new Error(String(err)));
    }
    const isHead = request.method === 'HEAD';
    this.cancelWait = pool.acquire((err, conn) => {
      this.cancelWait = undefined;
      if (err !== undefined || conn === undefined) return this.onError(err ?? new Error('no connection'));
      if (this.settled) return conn.abort(); // cancelled meanwhile
      this.conn = conn;
      conn.send(head, request.body, isHead, this, this.control.headersTimeoutMs);
    });
  }

  cancel(): void {
    if (this.settled) return;
    this.cancelWait?.();
    this.cancelWait = undefined;
    const conn = this.conn;
    this.settle({ kind: 'cancelled' });
    conn?.abort(new CancelledError());
  }

  onHead(status: number, rawHeaders: string[]): void {
    this.relayHead(status, () => responseHeadersFromRaw(rawHeaders));
  }

  onBody(chunk: Buffer): void {
    this.relayBody(chunk);
  }

  onEnd(): void {
    this.relayEnd();
  }

  onError(error: Error): void {
    this.relayError(error, false);
  }

  protected pauseUpstream(): void {
    this.conn?.pause();
  }

  protected resumeUpstream(): void {
    this.conn?.resume();
  }

  protected abortUpstream(err: Error): void {
    this.conn?.abort(err);
  }

  protected cleanUp(): void {
    // A socket paused for a slow client that has its whole response read goes back to the pool running.
    if (this.waitingForDrain) this.conn?.resume();
    this.conn = undefined;
  }
}

function bodyShape(body: EngineRequest['body']): BodyShape {
  if (body === null) return { kind: 'none' };
  return Buffer.isBuffer(body) ? { kind: 'buffer', length: body.length } : { kind: 'stream' };
}

/** Starts the exchange; its end goes to `control.settled` (possibly before this returns). */
export function relayEngine(pool: PeerPool, request: EngineRequest, res: ServerResponse, control: AttemptControl): RunningAttempt {
  const exchange = new EngineExchange(res, control);
  exchange.start(pool, request);
  return exchange;
}
