/**
 * A timeout that never fires early. Node arms `setTimeout` from the event loop's cached clock,
 * taken when the current loop turn began; after a long turn (a busy process) that clock is
 * stale and the timer fires early by up to the length of that turn. Deadlines that budgets are
 * measured against (the headers timeout cut to `nextUpstream.timeoutMs`) must not: when the
 * native timer fires before the deadline on the monotonic clock, it is armed again for the rest.
 */
export interface ExactTimer {
  clear(): void;
}

export function exactTimeout(ms: number, fn: () => void, clock: () => number = () => performance.now()): ExactTimer {
  const deadline = clock() + ms;
  let timer: NodeJS.Timeout;
  const check = (): void => {
    const left = deadline - clock();
    if (left > 0) timer = setTimeout(check, Math.ceil(left));
    else fn();
  };
  timer = setTimeout(check, ms);
  return { clear: () => clearTimeout(timer) };
}

/**
 * An exact deadline armed again and again on one native timer (one per upstream socket, armed
 * per request, instead of a new timer and closures per attempt): `arm(ms)` with the same `ms` as
 * the last arm `refresh()`es the timer it has (no allocation); `disarm()` only marks it, and the
 * native timer, if it fires before the next arm, does nothing. Never fires early (as
 * `exactTimeout`), at most once per arm. The timer is unref'd: the socket it guards keeps the
 * process alive while a request waits.
 */
export class ExactDeadline {
  private timer: NodeJS.Timeout | undefined;
  /** The native timer's duration; -1 after a re-arm for the rest (the next `arm` makes a fresh one). */
  private ms = -1;
  private deadline = 0;
  private armed = false;

  constructor(
    private readonly fn: () => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  arm(ms: number): void {
    this.deadline = this.clock() + ms;
    this.armed = true;
    if (this.timer !== undefined && this.ms === ms) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.start(ms);
  }

  disarm(): void {
    this.armed = false;
  }

  clear(): void {
    this.armed = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(ms: number): void {
    this.ms = ms;
    this.timer = setTimeout(this.check, ms);
    this.timer.unref();
  }

  private readonly check = (): void => {
    if (!this.armed) return;
    const left = this.deadline - this.clock();
    if (left > 0) {
      this.start(Math.ceil(left));
      this.ms = -1;
      return;
    }
    this.armed = false;
    this.fn();
  };
}
