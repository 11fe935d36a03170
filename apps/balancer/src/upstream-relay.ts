import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { responseHeadersForClient } from './headers.js';
import type { AttemptResult, RunningAttempt } from './walk.js';
import { exactTimeout, type ExactTimer } from './exact-timer.js';

/**
 * One upstream exchange through undici's `dispatch` with a handler that writes the response
 * straight into the client's ServerResponse (no Readable per request, backpressure through
 * the dispatch controller). At the response headers `decide(status)` says whether this answer
 * goes to the client or is read and dropped (another attempt answers). It only reports; the
 * walk decides.
 */
export class CancelledError extends Error {
  readonly code = 'ATTEMPT_CANCELLED';
  constructor() {
    super('attempt cancelled');
    this.name = 'CancelledError';
  }
}

/** Same code as undici's own headers timeout, so callers classify both alike. */
function headersTimeout(ms: number): Error {
  return Object.assign(new Error(`no upstream response headers within ${ms} ms`), { code: 'UND_ERR_HEADERS_TIMEOUT' });
}

class RelayHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private headersTimer: ExactTimer | undefined;
  private status = 0;
  private relaying = false;
  private settled = false;
  private cancelled = false;
  private waitingForDrain = false;
  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.controller?.resume();
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly decide: (status: number) => boolean,
    private readonly resolve: (outcome: AttemptResult) => void,
    private readonly headersTimeoutMs: number,
  ) {}

  cancel(): void {
    if (this.settled || this.cancelled) return;
    this.cancelled = true;
    this.controller?.abort(new CancelledError());
  }

  /**
   * Called once the request is on a socket (again if undici retries it on another one). The
   * headers deadline is our own timer (undici's fires on a ~1 s tick), and exact: it never fires
   * before the deadline, which the walk's time budget is measured against.
   */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.headersTimer?.clear();
    if (this.cancelled) return controller.abort(new CancelledError());
    if (this.headersTimeoutMs > 0) {
      this.headersTimer = exactTimeout(this.headersTimeoutMs, () => controller.abort(headersTimeout(this.headersTimeoutMs)));
    }
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, the final answer follows
    this.headersTimer?.clear();
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
    if (this.relaying) {
      this.res.destroy(); // broke mid-body: the client sees a truncated response, never a retry
      return this.settle({ kind: 'relayed', status: this.status });
    }
    if (this.cancelled || error instanceof CancelledError) return this.settle({ kind: 'cancelled' });
    if (this.status !== 0) return this.settle({ kind: 'discarded', status: this.status });
    this.settle({ kind: 'failed', error });
  }

  private settle(outcome: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    this.headersTimer?.clear();
    if (this.waitingForDrain) this.res.off('drain', this.onDrain);
    this.resolve(outcome);
  }
}

/**
 * `headersTimeoutMs` is enforced here only: undici's own headers timer is switched off for the
 * attempt, because it runs on undici's coarse "fast timers" and can fire hundreds of ms early,
 * which cut short the last attempt of a `nextUpstream.timeoutMs` budget and bought one more.
 */
export function relayUpstream(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  res: ServerResponse,
  control: { headersTimeoutMs: number; decide: (status: number) => boolean },
): RunningAttempt {
  let handler: RelayHandler | undefined;
  const done = new Promise<AttemptResult>((resolve) => {
    handler = new RelayHandler(res, control.decide, resolve, control.headersTimeoutMs);
  });
  const h = handler as RelayHandler;
  try {
    dispatcher.dispatch({ ...options, headersTimeout: 0 }, h);
  } catch (err) {
    h.onResponseError(undefined as never, err instanceof Error ? err : new Error(String(err)));
  }
  return { done, cancel: () => h.cancel() };
}
