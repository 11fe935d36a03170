/** Stable error codes of the local stack; callers branch on `.code`, never on message text. */
export const STACK_ERRORS = {
  BAD_ARGUMENT: 'STACK_BAD_ARGUMENT',
  PORT_IN_USE: 'STACK_PORT_IN_USE',
  PORT_CONFLICT: 'STACK_PORT_CONFLICT',
  PORT_CHECK_FAILED: 'STACK_PORT_CHECK_FAILED',
  BUILD_FAILED: 'STACK_BUILD_FAILED',
  ENTRY_MISSING: 'STACK_ENTRY_MISSING',
  SPAWN_FAILED: 'STACK_SPAWN_FAILED',
  EXITED_BEFORE_READY: 'STACK_EXITED_BEFORE_READY',
  READY_TIMEOUT: 'STACK_READY_TIMEOUT',
  ABORTED: 'STACK_ABORTED',
} as const;

export type StackErrorCode = (typeof STACK_ERRORS)[keyof typeof STACK_ERRORS];

export class StackError extends Error {
  override readonly name = 'StackError';
  constructor(
    readonly code: StackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStackError(error: unknown): error is StackError {
  return error instanceof StackError;
}
