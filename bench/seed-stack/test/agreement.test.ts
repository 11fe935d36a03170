/**
 * The seed replica (FastAPI + numpy) and fleet's model-server answer the same: token ids equal
 * to @fleet/model's for 200 texts, and through both real servers the same labels and
 * probabilities within 1e-4, one text per request and 8 per request (padding).
 *
 * Needs Debian's python3-fastapi … python3-onnx: skipped visibly without them, except under
 * CI=true where a missing package fails (FLEET_SKIP=seed-stack opts out).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortsInRange } from '@fleet/bench-kit';
import { tokenIds } from '@fleet/model';
import { PYTHON, missingIsFatal, missingPythonPackages, skipMessage } from '../src/deps.js';
import { PACKAGE_DIR, TABLES_PATH } from '../src/paths.js';
import { startFleetReplica, startSeedReplica, type Replica } from '../src/replicas.js';
import { agreementTexts, TOTAL_TEXTS } from './texts.js';

const TOLERANCE = 1e-4;
const missing = missingPythonPackages();
const CHECK = 'the seed-stack agreement check';
const fatal = missing.length > 0 && missingIsFatal(CHECK);
const skip = missing.length > 0 && !fatal;
if (skip) process.stderr.write(`\n[seed-stack] agreement check ${skipMessage(missing)}\n\n`);

interface Prediction {
  label: string;
  probabilities: Record<string, number>;
}

async function predict(port: number, body: unknown): Promise<Prediction[]> {
  const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { predictions?: Prediction[] };
  if (res.status !== 200 || !json.predictions) throw new Error(`port ${port}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json.predictions;
}

/** Every disagreement, as text: empty when the two agree. */
function disagreements(texts: readonly string[], fleet: Prediction[], seed: Prediction[]): string[] {
  return texts.flatMap((text, i) => {
    const a = fleet[i];
    const b = seed[i];
    const where = `text ${i} (${JSON.stringify(text.slice(0, 40))})`;
    if (!a || !b) return [`${where}: missing prediction`];
    if (a.label !== b.label) return [`${where}: label ${a.label} vs ${b.label}`];
    return Object.keys(a.probabilities)
      .filter((k) => !(Math.abs((a.probabilities[k] ?? NaN) - (b.probabilities[k] ?? NaN)) <= TOLERANCE))
      .map((k) => `${where}: p(${k}) ${a.probabilities[k]} vs ${b.probabilities[k]}`);
  });
}

describe('Debian packages for the seed replica', () => {
  it.runIf(fatal)('are installed (CI=true; FLEET_SKIP=seed-stack opts out)', () => {
    expect.fail(skipMessage(missing));
  });
});

describe.skipIf(missing.length > 0)(`seed replica agrees with fleet${skip ? ` — ${skipMessage(missing)}` : ''}`, () => {
  let texts: string[] = [];
  let fleet: Replica;
  let seed: Replica;

  beforeAll(async () => {
    texts = agreementTexts();
    const [fleetPort, seedPort] = await freePortsInRange(2, 24800, 24899);
    fleet = startFleetReplica('fleet-agree', fleetPort ?? 0);
    seed = startSeedReplica('seed-agree', seedPort ?? 0);
    await Promise.all([fleet.ready, seed.ready]);
  });

  afterAll(async () => {
    await Promise.all([fleet?.stop(), seed?.stop()]);
  });

  it(`uses ${TOTAL_TEXTS} texts`, () => {
    expect(texts).toHaveLength(TOTAL_TEXTS);
  });

  it('tokenizes every text to the same ids as @fleet/model', () => {
    const out = spawnSync(PYTHON, ['-m', 'replica.tokens', TABLES_PATH], { input: JSON.stringify(texts), encoding: 'utf8', env: { ...process.env, PYTHONPATH: PACKAGE_DIR }, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
    expect(out.stderr).toBe('');
    const python = JSON.parse(out.stdout) as { unicode: string; ids: number[][] };
    expect(python.unicode).toBe(process.versions.unicode);
    const wrong = texts.map((t, i) => ({ i, node: tokenIds(t), python: python.ids[i] })).filter((r) => JSON.stringify(r.node) !== JSON.stringify(r.python));
    expect(wrong.map((r) => `text ${r.i}: ${JSON.stringify(r.node).slice(0, 80)} vs ${JSON.stringify(r.python).slice(0, 80)}`)).toEqual([]);
  });

  it('gives the same label and probabilities (±1e-4), one text per request', async () => {
    const pairs = await Promise.all(texts.map(async (text) => [await predict(fleet.port, { text }), await predict(seed.port, { text })] as const));
    expect(disagreements(texts, pairs.map((p) => p[0][0] as Prediction), pairs.map((p) => p[1][0] as Prediction))).toEqual([]);
  });

  it('gives the same answers with 8 texts per request (padded to the longest)', async () => {
    const wrong: string[] = [];
    for (let i = 0; i < texts.length; i += 8) {
      const batch = texts.slice(i, i + 8);
      const [a, b] = await Promise.all([predict(fleet.port, { texts: batch }), predict(seed.port, { texts: batch })]);
      wrong.push(...disagreements(batch, a, b).map((d) => `batch at ${i}: ${d}`));
    }
    expect(wrong).toEqual([]);
  });

  it('answers invalid bodies with 400 and a code, like fleet', async () => {
    for (const body of ['{"texts":[]}', '{"text":""}', '{bad', '{"text":"a","texts":["b"]}']) {
      const [a, b] = await Promise.all(
        [fleet.port, seed.port].map(async (port) => {
          const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          return { status: res.status, code: ((await res.json()) as { code?: string }).code };
        }),
      );
      expect({ body, ...b }).toEqual({ body, ...a });
    }
  });
});
