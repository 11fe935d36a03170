/** Stable error codes of the bench kit; callers branch on `.code`, never on message text. */
export const BENCH_KIT_ERRORS = {
  /** A child process exited before it was ready. */
  EXITED_BEFORE_READY: 'BENCH_EXITED_BEFORE_READY',
  /** A child or a port did not become ready within its bound. */
  READY_TIMEOUT: 'BENCH_READY_TIMEOUT',
  /** `nginx -t` refused a generated config, or a reload did not take. */
  NGINX_FAILED: 'BENCH_NGINX_FAILED',
  /** wrk exited non-zero or printed no result line. */
  WRK_FAILED: 'BENCH_WRK_FAILED',
  /** Not enough free ports in the requested range. */
  NO_FREE_PORTS: 'BENCH_NO_FREE_PORTS',
  /** `taskset` could not set a process's CPU affinity. */
  PIN_FAILED: 'BENCH_PIN_FAILED',
  /** A /proc file could not be parsed. */
  PROC_UNREADABLE: 'BENCH_PROC_UNREADABLE',
  /** A setting read from the environment is malformed or out of range (the message names the variable). */
  BAD_ENV: 'BENCH_BAD_ENV',
} as const;

export type BenchKitErrorCode = (typeof BENCH_KIT_ERRORS)[keyof typeof BENCH_KIT_ERRORS];

export class BenchKitError extends Error {
  override readonly name = 'BenchKitError';
  constructor(
    readonly code: BenchKitErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
