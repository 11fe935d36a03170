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
 * `--heap-growing-percent=50`: after a full (mark-compact) collection V8 sets the old
 * generation's next limit from what survived. Until it has timed one, it grows by its largest
 * factor, 4×; after, by ~1.1× plus 8 MB. The unbundled replica met its first full collection
 * while loading ~400 modules (8–12 MB alive: next limit 33–53 MB); the bundle loads so little
 * that its first comes under load, after start-up (18 MB alive: next limit 72–76 MB), and the
 * old space then held up to 57 MB of dead objects (README, Start-up 2026-12-02). A fixed 1.5×
 * (the 8 MB step still applies) bounds that first limit too, ~32 MB.
 * No `--max-old-space-size`: a hard cap turns a burst of large accepted requests into an
 * out-of-memory crash instead of more frequent garbage collection.
 */
export const REPLICA_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'] as const;

/** The built entry of a replica (`dist/main.js`, this package's `./main` export). */
export const REPLICA_MAIN: string = createRequire(import.meta.url).resolve('@fleet/model-server/main');

/** `node`'s arguments for a replica: {@link REPLICA_NODE_FLAGS}, then the entry. */
export function replicaArgv(main: string = REPLICA_MAIN): string[] {
  return [...REPLICA_NODE_FLAGS, main];
}
