// The YAML parser is loaded on the first YAML config file, not at import (start-up cost of every
// process configured by env). Checked in a fresh node process on the build (vitest's own module
// graph would hide it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const DIST = new URL('../dist/index.js', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'config-lazy-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('loads yaml only when a YAML file is read', () => {
  const file = join(dir, 'model-server.yaml');
  writeFileSync(file, 'port: 8123\n');
  const script = `
    import { createRequire } from 'node:module';
    const { loadModelServerConfig } = await import(${JSON.stringify(DIST)});
    const req = createRequire(${JSON.stringify(DIST)});
    const yaml = req.resolve('yaml');
    const fromEnv = loadModelServerConfig({ env: { PORT: '8124' } });
    const before = yaml in req.cache;
    const fromFile = loadModelServerConfig({ env: {}, file: ${JSON.stringify(file)} });
    console.log(JSON.stringify({ before, after: yaml in req.cache, ports: [fromEnv.port, fromFile.port] }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({ before: false, after: true, ports: [8124, 8123] });
}, 60_000); // a fresh node process: seconds on a busy machine
