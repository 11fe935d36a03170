import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetBuildAt } from './stacks.js';

describe('fleetBuildAt (BENCH_FLEET_BASE)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const checkout = (built: readonly string[]): string => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-base-'));
    dirs.push(dir);
    for (const app of built) {
      mkdirSync(join(dir, 'apps', app, 'dist'), { recursive: true });
      writeFileSync(join(dir, 'apps', app, 'dist', 'main.js'), '');
    }
    return dir;
  };

  it("gives the balancer's and a replica's entry of a built checkout", () => {
    const dir = checkout(['balancer', 'model-server']);
    expect(fleetBuildAt(dir)).toEqual({ balancerMain: join(dir, 'apps/balancer/dist/main.js'), replicaMain: join(dir, 'apps/model-server/dist/main.js') });
  });

  it('refuses a checkout that is not built, naming the missing entry', () => {
    const dir = checkout(['balancer']);
    expect(() => fleetBuildAt(dir)).toThrow(`BENCH_FLEET_BASE: ${join(dir, 'apps/model-server/dist/main.js')} does not exist`);
  });
});
