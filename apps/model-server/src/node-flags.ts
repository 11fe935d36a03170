/**
 * The `node` flags a replica runs with, wherever one is started: `pnpm start` (tools/stack), the
 * package's `start` script, the Docker image's CMD, the systemd unit and the benchmark all use
 * this list (tests compare them). V8 sizes its heap when the isolate is created, so these cannot
 * be applied from inside the process (`v8.setFlagsFromString` after start-up leaves the young
 * generation as it was); they must be on the command line.
 *
 * `--max-semi-space-size=1`: V8's young generation (two semi-spaces) grows to 16 MB each under
 * load by default, 32 MB of RSS for objects that mostly die within one request; 1 MB each keeps
 * it at 2 MB. `--heap-growing-percent=20`: the old generation's limit grows by 20 % after a
 * full collection instead of V8's default factor (up to 4×), so objects promoted early by the
 * small young generation are collected before the heap balloons. Measured in the README
 * (memory): peak RSS and CPU per request, paired runs. No `--max-old-space-size`: a hard cap
 * turns a burst of large accepted requests into an out-of-memory crash instead of more
 * frequent garbage collection.
 */
export const REPLICA_NODE_FLAGS = ['--max-semi-space-size=1', '--heap-growing-percent=20'] as const;
