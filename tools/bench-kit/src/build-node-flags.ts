/** The node flags a build's processes start with, read from that build's own `node-flags.js`. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The list `exportName` of the `node-flags.js` beside `mainJs` (e.g. `BALANCER_NODE_FLAGS`,
 * `REPLICA_NODE_FLAGS`), so a bench starts another build with that build's flags; `[]` for
 * builds from before the file existed.
 */
export async function buildNodeFlags(mainJs: string, exportName: string): Promise<readonly string[]> {
  const file = join(dirname(mainJs), 'node-flags.js');
  if (!existsSync(file)) return [];
  const flags = ((await import(pathToFileURL(file).href)) as Record<string, unknown>)[exportName];
  if (!Array.isArray(flags) || !flags.every((f) => typeof f === 'string')) {
    throw new Error(`${file}: ${exportName} is not a list of strings`);
  }
  return flags as readonly string[];
}
