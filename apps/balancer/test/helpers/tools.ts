import { existsSync } from 'node:fs';

/**
 * A test that needs a system tool (Chromium, promtool…) skips with a clear message when it is
 * missing, except under CI=true, where a missing tool fails the run unless the tool is named
 * in ALLOW_MISSING_TOOLS (comma-separated), so CI cannot pass by silently testing nothing.
 */
export function missingTool(name: string, path: string, install: string): string | undefined {
  if (existsSync(path)) return undefined;
  const message = `${name} not found at ${path} (${install})`;
  const allowed = (process.env.ALLOW_MISSING_TOOLS ?? '').split(',').map((s) => s.trim());
  if (process.env.CI === 'true' && !allowed.includes(name)) {
    throw new Error(`${message}; CI=true needs it (or set ALLOW_MISSING_TOOLS=${name} to skip on purpose)`);
  }
  return `SKIPPED: ${message}`;
}
