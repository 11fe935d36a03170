import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { ClientRelay } from './client-relay.js';
import { responseHeadersForClient } from './headers.js';
import type { AttemptControl, RunningAttempt } from './walk.js';
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

class RelayHandler extends ClientRelay implements Dispatcher.DispatchHandler, RunningAttempt {
  private controller: Dispatcher.DispatchController | undefined;
  private headersTimer: ExactTimer | undefined;
  private cancelled = false;

  constructor(
    res: ServerResponse,
    control: AttemptControl,
    private readonly headersTimeoutMs: number,
  ) {
    super(res, control);
  }

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

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, the final answer follows
    this.headersTimer?.clear();
    this.relayHead(statusCode, () => responseHeadersForClient(headers));
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.relayBody(chunk);
  }

  onResponseEnd(): void {
    this.relayEnd();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.relayError(error, this.cancelled || error instanceof CancelledError);
  }

  protected pauseUpstream(): void {
    this.controller?.pause();
  }

  protected resumeUpstream(): void {
    this.controller?.resume();
  }

  protected abortUpstream(err: Error): void {
    this.controller?.abort(err);
  }

  protected cleanUp(): void {
    this.headersTimer?.clear();
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
  control: AttemptControl,
): RunningAttempt {
  const h = new RelayHandler(res, control, control.headersTimeoutMs);
  try {
    dispatcher.dispatch({ ...options, headersTimeout: 0 }, h);
  } catch (err) {
    h.onResponseError(undefined as never, err instanceof Error ? err : new Error(String(err)));
  }
  return h;
}
