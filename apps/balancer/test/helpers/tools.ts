import { existsSync } from 'node:fs';
import { missingTool as sharedRule, missingToolError } from '../../../../.ci/require-tool.mjs';

/**
 * A test that needs a system tool (Chromium…) at a known path, through the repository's one
 * rule (`.ci/require-tool.mjs`): undefined when it is there; when it is missing, a skip message
 * outside CI (logged for the CI summary), and under CI=true a thrown error unless FLEET_SKIP
 * names the tool, so CI cannot pass by silently testing nothing.
 */
export function missingTool(name: string, path: string, install: string): string | undefined {
  if (existsSync(path)) return undefined;
  const check = `${name} at ${path} (${install})`;
  if (sharedRule(name, check) === 'fail') throw new Error(missingToolError(name, check));
  return `SKIPPED: ${name} not found at ${path} (${install})`;
}
