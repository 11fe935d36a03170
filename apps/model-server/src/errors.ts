/**
 * Error codes the replica answers with, and the one table mapping them to HTTP statuses.
 * Clients branch on `code`, never on `message`.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_JSON: 'INVALID_JSON',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  NOT_FOUND: 'NOT_FOUND',
  BAD_URL: 'BAD_URL',
  QUEUE_FULL: 'QUEUE_FULL',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  NOT_READY: 'NOT_READY',
  MODEL_NOT_TEXT: 'MODEL_NOT_TEXT',
  INFERENCE_FAILED: 'INFERENCE_FAILED',
  INTERNAL: 'INTERNAL',
  BAD_REQUEST: 'BAD_REQUEST',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  BAD_URL: 400,
  QUEUE_FULL: 503,
  SHUTTING_DOWN: 503,
  NOT_READY: 503,
  MODEL_NOT_TEXT: 400,
  INFERENCE_FAILED: 500,
  INTERNAL: 500,
  BAD_REQUEST: 400,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
};

/** An error the replica raises on purpose: it carries a stable code and, for 400s, the offending field. */
export class ServerError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ServerError';
    this.code = code;
    this.statusCode = ERROR_STATUS[code];
    this.field = options.field;
  }
}

/** Codes for failures of the process itself (start-up, model load); they map to exit codes in main.ts. */
export const STARTUP_ERROR_CODES = {
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  MODEL_INVALID: 'MODEL_INVALID',
  WARMUP_FAILED: 'WARMUP_FAILED',
  WORKER_FAILED: 'WORKER_FAILED',
} as const;

export type StartupErrorCode = (typeof STARTUP_ERROR_CODES)[keyof typeof STARTUP_ERROR_CODES];

export class StartupError extends Error {
  readonly code: StartupErrorCode;

  constructor(code: StartupErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StartupError';
    this.code = code;
  }
}
