/** A temp directory per test file for config files; removed after the file's tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function useTmpDir(): (name: string, content: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
}

/** The ConfigError message thrown by `fn` (fails the test when nothing is thrown). */
export function errorOf(fn: () => unknown): Error & { code?: string; issues?: { path: string; message: string }[] } {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}
