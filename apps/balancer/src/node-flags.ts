/**
 * The `node` flags the balancer runs with, wherever it is started: `pnpm start` (tools/stack),
 * this package's `start` script, the Docker image's CMD, the systemd unit and the benches (the
 * bench kit reads this file beside the entry) all use this list; tests compare each with it.
 * V8 sizes its heap when the isolate is created, so these must be on the command line
 * (`v8.setFlagsFromString` after start-up leaves the young generation as it was).
 *
 * `--max-semi-space-size=2`: V8's young generation (two semi-spaces) grows to 16 MB each under
 * load by default, 32 MB of RSS for objects that die within one request; 2 MB each keeps it at
 * 4 MB. Screened against 1, 4, 8 and none on both listeners (README, issue 9: heap sizing): peak
 * RSS ~94 → ~75 MB under the bench's load. No `--max-old-space-size`: a hard cap turns a burst of
 * large accepted requests into an out-of-memory crash instead of more garbage collection.
 */
export const BALANCER_NODE_FLAGS = ['--max-semi-space-size=2'] as const;
