import { randomBytes } from 'node:crypto';
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BalancerConfig } from '@fleet/config';
import { BalancerError } from '../errors.js';

/**
 * `limits.clientBodyTempPath` is checked when a config is built (start and SIGHUP reload), as
 * NGINX checks `client_body_temp_path` at start: a file is created there (exclusive,
 * owner-only) and removed again. A missing, non-directory or unwritable path refuses the
 * config with `CLIENT_BODY_TEMP_PATH_UNUSABLE` naming the field (at start the process exits 1;
 * a reload keeps the running config) instead of a 500 on the first large body. Unset, the OS
 * temp dir is checked, unless bodies are never spooled (`requestBuffering: false`).
 */
export const TEMP_PATH_ERRORS = { CLIENT_BODY_TEMP_PATH_UNUSABLE: 'CLIENT_BODY_TEMP_PATH_UNUSABLE' } as const;

export const TEMP_PATH_FIELD = 'limits.clientBodyTempPath';

export class TempPathError extends Error {
  readonly code = TEMP_PATH_ERRORS.CLIENT_BODY_TEMP_PATH_UNUSABLE;
  readonly path = TEMP_PATH_FIELD;
  constructor(
    readonly dir: string,
    configured: boolean,
    reason: string,
  ) {
    const what = configured ? JSON.stringify(dir) : `not set, and the OS temp dir ${JSON.stringify(dir)}`;
    super(`${TEMP_PATH_FIELD}: ${what} is not a writable directory (${reason}); request bodies past limits.clientBodyBufferSize are spooled there`);
    this.name = 'TempPathError';
  }
}

/** The permission bits each checked directory had, so one deleted at run time is recreated alike. */
const modes = new Map<string, number>();

/** Owner-only when the directory was never seen (it holds request bodies). */
const DEFAULT_MODE = 0o700;

export function tempDirMode(dir: string): number {
  return modes.get(dir) ?? DEFAULT_MODE;
}

/** The 500 a request gets when the directory disappeared at run time and could not be made again. */
export function tempPathUnusable(dir: string, reason: string): BalancerError {
  return new BalancerError(
    TEMP_PATH_ERRORS.CLIENT_BODY_TEMP_PATH_UNUSABLE,
    `${TEMP_PATH_FIELD}: ${JSON.stringify(dir)} is not a writable directory (${reason}); the request body could not be spooled`,
    { connection: 'close' },
  );
}

/**
 * The directory bodies are spooled to: `limits.clientBodyTempPath`, else the OS temp dir.
 * `os.tmpdir()` reads TMPDIR, TMP and TEMP from the environment on every call (~10 % of the CPU
 * of a request with a body when every such request asked), so this is called once per config,
 * when its snapshot is built (`snapshot.ts`, `Snapshot.bodyTempDir`), and requests read the
 * snapshot's; a reload builds a new snapshot and so reads the environment again.
 */
export function bodyTempDir(limits: BalancerConfig['limits']): string {
  return limits.clientBodyTempPath ?? tmpdir();
}

/**
 * Throws TempPathError when `dir` (the config's body temp dir, resolved by the caller so that the
 * directory checked is the one spooled to) cannot take a spooled body.
 */
export function checkBodyTempPath(config: Pick<BalancerConfig, 'limits' | 'requestBuffering'>, dir = bodyTempDir(config.limits)): void {
  const configured = config.limits.clientBodyTempPath !== undefined;
  if (!configured && !config.requestBuffering) return;
  const probe = join(dir, `.fleet-probe-${process.pid}-${randomBytes(6).toString('hex')}`);
  let fd: number;
  try {
    fd = openSync(probe, 'wx', 0o600);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TempPathError(dir, configured, e.code ?? e.message);
  }
  closeSync(fd);
  unlinkSync(probe);
  modes.set(dir, statSync(dir).mode & 0o7777);
}
