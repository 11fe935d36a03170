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
