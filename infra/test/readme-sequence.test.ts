/**
 * The root README's Docker block, run as a user would, command after command: every published
 * host port must be free when `up` starts a service. Compose leaves running the services an
 * overlay parks in a profile (the base balancer under scale.yml), so the scale overlay needs a
 * `down` first; this replays the commands on the merged compose files and fails on a collision
 * like Docker's `Bind for 127.0.0.1:8080 failed: port is already allocated`.
 * (infra/scripts/compose-smoke.sh runs the same sequence on a real engine.)
 */
import { describe, expect, it } from 'vitest';
import { defaultServices, loadStack, servicesOf } from './support/compose.js';
import { readRepoFile } from './support/repo.js';

export function dockerBlock(readme: string): string[] {
  const section = readme.slice(readme.indexOf('### Docker'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.startsWith('docker compose'));
}

function hostPorts(svc: Record<string, unknown>): string[] {
  return ((svc.ports as string[] | undefined) ?? []).map((p) => String(p).split(':').slice(0, -1).join(':'));
}

/** Replays compose commands; returns the collisions (one line each). */
export function replay(commands: string[]): string[] {
  const running = new Map<string, string[]>();
  const collisions: string[] = [];
  for (const command of commands) {
    const words = command.split(/\s+/);
    const files = words.flatMap((w, i) => (words[i - 1] === '-f' ? [w] : []));
    const stack = loadStack({ name: command, files: files.length === 0 ? ['docker-compose.yml'] : files });
    if (words.includes('down')) {
      running.clear();
      continue;
    }
    if (!words.includes('up')) continue;
    const services = servicesOf(stack);
    const started = defaultServices(stack);
    for (const name of started) running.delete(name); // recreated by this up
    const taken = new Map<string, string>();
    for (const [name, ports] of running) for (const p of ports) taken.set(p, name);
    for (const name of started) {
      for (const p of hostPorts(services[name] ?? {})) {
        const holder = taken.get(p);
        if (holder !== undefined) collisions.push(`${command}: ${name} cannot bind ${p}, ${holder} (still running) holds it`);
        taken.set(p, name);
      }
      running.set(name, hostPorts(services[name] ?? {}));
    }
  }
  return collisions;
}

describe("the root README's Docker commands, in order", () => {
  const commands = dockerBlock(readRepoFile('README.md'));

  it('are found', () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
    expect(commands.some((c) => c.includes('infra/compose/scale.yml') && c.includes('--scale model-server=5'))).toBe(true);
  });

  it('never start a service on a host port that a running one holds', () => {
    expect(replay(commands)).toEqual([]);
  });

  it('would catch the old sequence (base stack up, then the scale overlay)', () => {
    expect(replay(['docker compose up -d --build', 'docker compose -f docker-compose.yml -f infra/compose/scale.yml up -d --scale model-server=5'])).toEqual([
      'docker compose -f docker-compose.yml -f infra/compose/scale.yml up -d --scale model-server=5: balancer-dns cannot bind 127.0.0.1:8080, balancer (still running) holds it',
    ]);
  });
});
