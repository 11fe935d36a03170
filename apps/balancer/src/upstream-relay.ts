import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { responseHeadersForClient } from './headers.js';

/**
 * One upstream exchange through undici's `dispatch` with a handler that writes the response
 * straight into the client's ServerResponse (no Readable per request, backpressure through
 * the dispatch controller). At the response headers `decide(status)` says whether this answer
 * goes to the client or is read and dropped because the caller will try another peer.
 */
export type RelayOutcome =
  | { kind: 'failed'; error: unknown } // before any response headers
  | { kind: 'relayed'; status: number; error?: unknown } // sent (error: broke mid-body, res destroyed)
  | { kind: 'discarded'; status: number }; // read and dropped

/**
 * The client leaving before its response ended: `onAbort` is called once when it does. One
 * listener slot, not an EventEmitter: a request's attempts are sequential, and the relay
 * of the current attempt is the only one listening.
 */
export interface ClientGone {
  readonly aborted: boolean;
  onAbort: (() => void) | undefined;
}

export class ClientClosedError extends Error {
  readonly code = 'CLIENT_CLOSED_REQUEST';
  constructor() {
    super('client closed the connection');
    this.name = 'ClientClosedError';
  }
}

/** Same code as undici's own headers timeout, so callers classify both alike. */
function headersTimeout(ms: number): Error {
  return Object.assign(new Error(`no upstream response headers within ${ms} ms`), { code: 'UND_ERR_HEADERS_TIMEOUT' });
}

class RelayHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private headersTimer: NodeJS.Timeout | undefined;
  private status = 0;
  private relaying = false;
  private settled = false;
  private waitingForDrain = false;
  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.controller?.resume();
  };
  private readonly onClientGone = (): void => this.controller?.abort(new ClientClosedError());

  constructor(
    private readonly res: ServerResponse,
    private readonly client: ClientGone,
    private readonly decide: (status: number) => boolean,
    private readonly resolve: (outcome: RelayOutcome) => void,
    private readonly headersTimeoutMs: number,
  ) {}

  /**
   * Called once the request is on a socket (again if undici retries it on another one). The
   * headers deadline is a native timer: undici's own fires on a ~1 s tick.
   */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    clearTimeout(this.headersTimer);
    if (this.headersTimeoutMs > 0) {
      this.headersTimer = setTimeout(() => controller.abort(headersTimeout(this.headersTimeoutMs)), this.headersTimeoutMs);
    }
    if (this.client.aborted) return controller.abort(new ClientClosedError());
    this.client.onAbort = this.onClientGone; // a re-dispatch sets the same one again
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, the final answer follows
    clearTimeout(this.headersTimer);
    this.status = statusCode;
    this.relaying = this.decide(statusCode);
    if (!this.relaying) return;
    try {
      this.res.writeHead(statusCode, responseHeadersForClient(headers));
    } catch (err) {
      controller.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.relaying || this.res.write(chunk)) return;
    controller.pause();
    // Listened to only when the client is slow (not once per response on the hot path).
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      this.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.relaying) this.res.end();
    this.settle(this.relaying ? { kind: 'relayed', status: this.status } : { kind: 'discarded', status: this.status });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.status === 0) return this.settle({ kind: 'failed', error });
    if (!this.relaying) return this.settle({ kind: 'discarded', status: this.status });
    this.res.destroy();
    this.settle({ kind: 'relayed', status: this.status, error });
  }

  private settle(outcome: RelayOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.headersTimer);
    if (this.client.onAbort === this.onClientGone) this.client.onAbort = undefined;
    if (this.waitingForDrain) this.res.off('drain', this.onDrain);
    this.resolve(outcome);
  }
}

export function relayUpstream(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  res: ServerResponse,
  client: ClientGone,
  decide: (status: number) => boolean,
): Promise<RelayOutcome> {
  const timeoutMs = options.headersTimeout ?? 0;
  return new Promise((resolve) => {
    dispatcher.dispatch(options, new RelayHandler(res, client, decide, resolve, timeoutMs));
  });
}
