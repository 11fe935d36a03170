/** Process exit codes of `node dist/main.js`. */
export const EXIT_CODES = {
  OK: 0,
  /** Unexpected failure while starting or listening. */
  START_FAILED: 1,
  /** The configuration is invalid (every problem is logged). */
  CONFIG_INVALID: 2,
  /** The model file is missing or not a loadable ONNX model. */
  MODEL_LOAD_FAILED: 3,
  /** The warm-up inference did not produce the expected output. */
  WARMUP_FAILED: 4,
  /** In-flight work did not finish within drain.timeoutMs. */
  DRAIN_TIMEOUT: 5,
  /** A second SIGTERM/SIGINT arrived while draining. */
  FORCED: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
