/**
 * An in-process stand-in for the worker pool with the reference model's graph: it answers
 * text jobs from a labelling function and, when gated, holds every job until the test releases it.
 */
import { MODEL_INFO, WARMUP } from '@fleet/model';
import type { InferenceBackend, Job, JobResult } from '../src/model/jobs.js';

export interface FakeBackend extends InferenceBackend {
  /** Jobs held by the gate, oldest first. */
  readonly held: { job: Job; release: () => void }[];
  releaseAll(): void;
  readonly runs: Job[];
}

function defaultLabel(text: string): string {
  const i = WARMUP.texts.indexOf(text);
  return i >= 0 ? (WARMUP.expectedLabels[i] as string) : 'ham';
}

function answer(job: Job, label: (text: string) => string): JobResult {
  const texts = job.kind === 'text' ? job.texts : [];
  const data = Float32Array.from(texts.flatMap((t) => (label(t) === 'spam' ? [0.1, 0.9] : [0.9, 0.1])));
  return { outputs: { probabilities: { type: 'float32', data, dims: [texts.length, 2] } }, inferenceMs: 0 };
}

export function fakeTextBackend(options: { size?: number; gated?: boolean; label?: (text: string) => string } = {}): FakeBackend {
  const label = options.label ?? defaultLabel;
  const held: FakeBackend['held'] = [];
  const runs: Job[] = [];
  return {
    size: options.size ?? 1,
    graph: {
      inputs: MODEL_INFO.inputs.map((i) => ({ name: i.name, type: i.datatype === 'INT64' ? 'int64' : 'float32', shape: ['batch', 'seq'] })),
      outputs: [{ name: 'probabilities', type: 'float32', shape: ['batch', 2] }],
    },
    held,
    runs,
    run(job) {
      runs.push(job);
      if (!options.gated) return Promise.resolve(answer(job, label));
      return new Promise((resolve) => held.push({ job, release: () => resolve(answer(job, label)) }));
    },
    async runOnAll(job) {
      return [answer(job, label)];
    },
    releaseAll() {
      for (const h of held.splice(0)) h.release();
    },
    async close() {
      this.releaseAll();
    },
  };
}
