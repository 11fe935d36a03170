import { createRequire } from 'node:module';

/**
 * The `node` flags a replica runs with, wherever one is started: `pnpm start` (tools/stack), the
 * package's `start` script, the Docker image's CMD, the systemd unit and the benchmark all use
 * this list (tests compare them). V8 sizes its heap when the isolate is created, so these cannot
 * be applied from inside the process (`v8.setFlagsFromString` after start-up leaves the young
 * generation as it was); they must be on the command line.
 *
 * `--max-semi-space-size=4`: V8's young generation (two semi-spaces) grows to 16 MB each under
 * load by default, 32 MB of RSS for objects that mostly die within one request; 4 MB each keeps
 * it at 8 MB. In paired runs (README, memory) peak RSS fell ~50 MB at the same CPU per request;
 * 1 MB (with `--heap-growing-percent=20`) saved ~80 MB but cost 20–50 % more CPU per request.
 * No `--max-old-space-size`: a hard cap turns a burst of large accepted requests into an
 * out-of-memory crash instead of more frequent garbage collection.
 */
export const REPLICA_NODE_FLAGS = ['--max-semi-space-size=4'] as const;

/** The built entry of a replica (`dist/main.js`, this package's `./main` export). */
export const REPLICA_MAIN: string = createRequire(import.meta.url).resolve('@fleet/model-server/main');

/** `node`'s arguments for a replica: {@link REPLICA_NODE_FLAGS}, then the entry. */
export function replicaArgv(main: string = REPLICA_MAIN): string[] {
  return [...REPLICA_NODE_FLAGS, main];
}
