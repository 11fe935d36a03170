/**
 * What `import.meta.url` of a module becomes once the module is inside the replica's bundle
 * (dist/replica.js): an expression that evaluates, in the bundle, to the URL the module had on
 * its own. Pure (paths in, source text out); used by bundle-replica.ts.
 */
import { dirname, relative, sep } from 'node:path';

/** A workspace or npm package: its name and the file `import.meta.resolve(name)` gives. */
export interface PackageRef {
  name: string;
  entry: string;
}

const posix = (path: string): string => path.split(sep).join('/');

/**
 * A module under `dist` (this package's build, where the bundle lives): relative to the bundle's
 * own URL, so the whole dist/ can move (Docker's `pnpm deploy`). A module of another package:
 * relative to that package's entry as Node resolves it from the bundle, so it follows wherever
 * that package is installed.
 */
export function importMetaUrlFor(file: string, where: { dist: string } | PackageRef): string {
  if ('dist' in where) {
    return `new URL(${JSON.stringify(`./${posix(relative(where.dist, file))}`)}, import.meta.url).href`;
  }
  const fromEntry = posix(relative(dirname(where.entry), file));
  const rel = fromEntry.startsWith('../') ? fromEntry : `./${fromEntry}`;
  return `new URL(${JSON.stringify(rel)}, import.meta.resolve(${JSON.stringify(where.name)})).href`;
}
