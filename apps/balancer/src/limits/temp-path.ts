import { randomBytes } from 'node:crypto';
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BalancerConfig } from '@fleet/config';

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

/** The directory bodies are spooled to (`limits.clientBodyTempPath`, else the OS temp dir). */
export function bodyTempDir(limits: BalancerConfig['limits']): string {
  return limits.clientBodyTempPath ?? tmpdir();
}

/** Throws TempPathError when the directory cannot take a spooled body. */
export function checkBodyTempPath(config: Pick<BalancerConfig, 'limits' | 'requestBuffering'>): void {
  const configured = config.limits.clientBodyTempPath !== undefined;
  if (!configured && !config.requestBuffering) return;
  const dir = bodyTempDir(config.limits);
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
}
