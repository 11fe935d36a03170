import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { BALANCER_NODE_FLAGS } from '@fleet/balancer/node-flags';
import { REPLICA_NODE_FLAGS } from '@fleet/model-server/node-flags';
import { describe, expect, it } from 'vitest';
import { DOCKERFILE, baseImage, effective, lineage, parseStages } from './support/dockerfile.js';
import { readRepoFile, repoPath } from './support/repo.js';

const TEXT = readRepoFile(DOCKERFILE);
const STAGES = parseStages(TEXT);
const TARGETS = ['model-server', 'balancer'] as const;
const PNPM_VERSION = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { packageManager: string })
  .packageManager.split('@')[1];

describe('infra/docker/Dockerfile', () => {
  it('has no errors or warnings from dockerfile-utils', () => {
    const problems = validate(TEXT).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('uses no BuildKit-only syntax (the classic builder of Docker 20.10 must build it)', () => {
    expect(TEXT).not.toMatch(/^\s*#\s*syntax=/m);
    for (const stage of STAGES) {
      for (const i of stage.instructions) {
        expect(i.args, `line ${i.line}`).not.toMatch(/--mount=|--chmod=|--link\b|--parents\b|--exclude=|<<\w/);
      }
    }
  });

  it('pins every external base image to a tag that is not latest', () => {
    for (const stage of STAGES) {
      if (STAGES.some((s) => s.name === stage.from)) continue;
      expect(stage.from, stage.name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(stage.from, stage.name).not.toMatch(/:latest$/);
    }
  });

  it('installs the pnpm version of package.json#packageManager with npm, then a frozen install', () => {
    const runs = STAGES.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
    expect(runs.some((r) => r.includes(`npm i -g "pnpm@${PNPM_VERSION}"`) || r.includes(`npm i -g pnpm@${PNPM_VERSION}`))).toBe(true);
    expect(runs.some((r) => /pnpm install\b.*--frozen-lockfile/.test(r))).toBe(true);
    expect(runs.some((r) => /corepack enable/.test(r))).toBe(false);
  });

  it.each(TARGETS)('deploys a pruned production tree for %s', (target) => {
    const deploy = STAGES.flatMap((s) => s.instructions.map((i) => i.args)).find((a) =>
      a.includes(`pnpm deploy --legacy --filter=@fleet/${target} --prod`),
    );
    expect(deploy).toBeDefined();
  });

  it.each(TARGETS)('target %s runs as a non-root user', (target) => {
    const user = effective(STAGES, target, 'USER');
    expect(user?.args).toBeDefined();
    expect(user?.args).not.toMatch(/^(root|0)(:|$)/);
    expect(baseImage(STAGES, target)).toBe('node:22-bookworm-slim');
  });

  it.each(TARGETS)('target %s has a curl-free HEALTHCHECK and a SIGTERM stop signal', (target) => {
    const health = effective(STAGES, target, 'HEALTHCHECK');
    expect(health?.args).toMatch(/CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:/);
    expect(health?.args).not.toMatch(/curl|wget/);
    expect(health?.args).toMatch(/--start-period=\d+s/);
    expect(effective(STAGES, target, 'STOPSIGNAL')?.args).toBe('SIGTERM');
    const flags = (target === 'model-server' ? REPLICA_NODE_FLAGS : BALANCER_NODE_FLAGS).map((f) => `"${f}", `).join('');
    expect(effective(STAGES, target, 'CMD')?.args).toBe(`["node", ${flags}"dist/main.js"]`);
  });

  it('keeps build tools out of the final images (they copy only /out from the build stage)', () => {
    for (const target of TARGETS) {
      const copies = lineage(STAGES, target).flatMap((s) => s.instructions.filter((i) => i.keyword === 'COPY'));
      expect(copies.map((c) => c.args)).toEqual([`--from=build /out/${target} /app`]);
    }
  });
});

describe('.dockerignore', () => {
  const lines = readRepoFile('.dockerignore').split('\n').map((l) => l.trim());
  it('keeps dependencies, build output, caches and git history out of the context', () => {
    for (const entry of ['.git', '**/node_modules', '**/dist', '**/.turbo']) expect(lines).toContain(entry);
  });
  it('keeps the infra package manifest the frozen lockfile needs', () => {
    expect(lines).toContain('!infra/package.json');
    expect(lines).toContain('!infra/docker/prune-native.mjs');
  });
});
