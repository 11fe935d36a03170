import { spawnSync } from 'node:child_process';

/**
 * A check that needs a system tool skips with a clear message when it is missing, except under
 * CI=true, where a missing tool fails unless it is named in ALLOW_MISSING_TOOLS
 * (comma-separated): CI cannot pass by silently checking nothing.
 */
export function missingTool(name: string, probe: string[], install: string): string | undefined {
  const found = spawnSync(name, probe, { encoding: 'utf8' }).status === 0;
  if (found) return undefined;
  const message = `${name} is not installed (${install})`;
  const allowed = (process.env.ALLOW_MISSING_TOOLS ?? '').split(',').map((s) => s.trim());
  if (process.env.CI === 'true' && !allowed.includes(name)) {
    throw new Error(`${message}; CI=true needs it (or set ALLOW_MISSING_TOOLS=${name} to skip on purpose)`);
  }
  return `SKIPPED: ${message}`;
}
