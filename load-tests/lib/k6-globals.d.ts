// k6 provides `console` (log/info/warn/error/debug, written to k6's log); @types/k6 does not declare it
// and the DOM lib would bring much more than k6 has.
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
