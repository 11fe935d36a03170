/** Types for require-tool.mjs (see there). */
export function optedOut(env?: NodeJS.ProcessEnv): Set<string>;
export function missingTool(tool: string, check: string, env?: NodeJS.ProcessEnv): 'skip' | 'fail';
export function missingToolError(tool: string, check: string): string;
