/** `build:model` reproduces the committed model byte for byte (same data + same code). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_SHA256, defaultModelPath } from '../src/index.js';
import { buildModel } from '../scripts/lib/build.js';

const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('reproducible build', () => {
  it('writes exactly the committed .onnx bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-model-'));
    dirs.push(dir);
    const out = join(dir, 'spam-classifier.onnx');
    const result = await buildModel(out);
    const written = await readFile(out);
    const committed = await readFile(defaultModelPath);
    expect(result.sha256).toBe(MODEL_SHA256);
    expect(written.length).toBe(committed.length);
    expect(written.equals(committed)).toBe(true);
  }, 120_000);
});
