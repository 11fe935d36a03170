import { afterEach } from 'vitest';
import type { Balancer } from '../../src/app.js';
import type { Backend } from './backend.js';

/** Per-test resources closed after each test (balancer first, then upstreams). */
export interface Fixtures {
  backends: Backend[];
  balancer: Balancer | undefined;
  cleanups: (() => Promise<void> | void)[];
}

export function useFixtures(): Fixtures {
  const f: Fixtures = { backends: [], balancer: undefined, cleanups: [] };
  afterEach(async () => {
    await f.balancer?.close(1000);
    f.balancer = undefined;
    await Promise.all(f.backends.map((b) => b.close()));
    f.backends = [];
    for (const c of f.cleanups.splice(0).reverse()) await c();
  });
  return f;
}
