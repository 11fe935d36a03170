import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { AttemptControl, AttemptResult, RunningAttempt } from '../../attempt.js';
import { exactTimeout, type ExactTimer } from '../../exact-timer.js';
import { responseHeadersForClient, type ForwardHeaders } from '../../headers.js';
import { CancelledError } from '../../upstream-relay.js';
import type { ResponseSink, UpstreamConnection } from './connection.js';
import { UPSTREAM_FAILURES, upstreamFailure } from './failures.js';
import type { PeerPool } from './pool.js';
import { serialiseHead } from './request-head.js';

/**
 * One upstream exchange on the engine's own client, with exactly the contract of
 * `relayUpstream` (`upstream-relay.ts`, the undici path): at the final response head
 * `decide(status)` says whether the answer goes to the client (written to its ServerResponse,
 * pausing the upstream socket while the client is slow) or is read and dropped so that the
 * socket can serve again; it resolves `relayed`, `discarded`, `failed` (error codes as
 * `upstream-errors.ts` classifies them) or `cancelled`. It only reports; the walk decides.
 * The headers timeout is exact (`exact-timer.ts`) and starts once the request has a socket.
 */
export interface EngineRequest {
  method: string;
  path: string;
  headers: ForwardHeaders;
  body: Buffer | Readable | null;
}

/** Raw header pairs → the object undici hands its handlers: lower-case names, repeats as arrays. */
export function headersObject(raw: readonly string[]): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

class EngineExchange implements ResponseSink {
  private conn: UpstreamConnection | undefined;
  private cancelWait: (() => void) | undefined;
  private headersTimer: ExactTimer | undefined;
  private status = 0;
  private relaying = false;
  private settled = false;
  private waitingForDrain = false;
  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.conn?.resume();
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly control: AttemptControl,
    private readonly resolve: (outcome: AttemptResult) => void,
  ) {}

  start(pool: PeerPool, request: EngineRequest): void {
    let head;
    try {
      const body = request.body === null ? { kind: 'none' as const } : Buffer.isBuffer(request.body) ? { kind: 'buffer' as const, length: request.body.length } : { kind: 'stream' as const };
      head = serialiseHead(request.method, request.path, request.headers, body, pool.address);
    } catch (err) {
      return this.onError(err instanceof Error ? err : new Error(String(err)));
    }
    const isHead = request.method === 'HEAD';
    this.cancelWait = pool.acquire((err, conn) => {
      this.cancelWait = undefined;
      if (err !== undefined || conn === undefined) return this.onError(err ?? new Error('no connection'));
      if (this.settled) return conn.abort(); // cancelled meanwhile
      this.conn = conn;
      const ms = this.control.headersTimeoutMs;
      if (ms > 0) this.headersTimer = exactTimeout(ms, () => conn.abort(upstreamFailure(UPSTREAM_FAILURES.HEADERS_TIMEOUT, `no upstream response headers within ${ms} ms`)));
      conn.send(head, request.body, isHead, this);
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
    this.headersTimer?.clear();
    this.status = status;
    this.relaying = this.control.decide(status);
    if (!this.relaying) return;
    try {
      this.res.writeHead(status, responseHeadersForClient(headersObject(rawHeaders)));
    } catch (err) {
      this.conn?.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }

  onBody(chunk: Buffer): void {
    if (!this.relaying || this.res.write(chunk)) return;
    this.conn?.pause();
    // Listened to only when the client is slow (not once per response on the hot path).
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      this.res.once('drain', this.onDrain);
    }
  }

  onEnd(): void {
    if (this.relaying) this.res.end();
    this.settle(this.relaying ? { kind: 'relayed', status: this.status } : { kind: 'discarded', status: this.status });
  }

  onError(error: Error): void {
    if (this.settled) return;
    if (this.relaying) {
      this.res.destroy(); // broke mid-body: the client sees a truncated response, never a retry
      return this.settle({ kind: 'relayed', status: this.status });
    }
    if (this.status !== 0) return this.settle({ kind: 'discarded', status: this.status });
    this.settle({ kind: 'failed', error });
  }

  private settle(outcome: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    this.headersTimer?.clear();
    if (this.waitingForDrain) {
      this.res.off('drain', this.onDrain);
      this.conn?.resume();
    }
    this.conn = undefined;
    this.resolve(outcome);
  }
}

export function relayEngine(pool: PeerPool, request: EngineRequest, res: ServerResponse, control: AttemptControl): RunningAttempt {
  let exchange: EngineExchange | undefined;
  const done = new Promise<AttemptResult>((resolve) => {
    exchange = new EngineExchange(res, control, resolve);
  });
  const x = exchange as EngineExchange;
  x.start(pool, request);
  return { done, cancel: () => x.cancel() };
}
