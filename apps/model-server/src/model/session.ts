/**
 * onnxruntime session handling, used by the workers, the main thread's inline executor and the
 * in-process benchmark: open a session, describe its graph, run named feeds or a job.
 */
import ort from 'onnxruntime-node';
import { STARTUP_ERROR_CODES, StartupError } from '../errors.js';
import { TEXT_FETCHES, textFeeds, type GraphInfo, type GraphValue } from './graph.js';
import type { Job, JobResult } from './jobs.js';
import type { OrtType, TensorData, WireTensor } from './tensors.js';

export interface SessionOptions {
  intraOpThreads: number;
}

export async function openSession(modelPath: string, options: SessionOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Shapes change with every batch (rows × padded length): a CPU arena would keep the peak
      // of the largest batch ever run for the life of the process, and a memory pattern is
      // planned for one shape only. Plain malloc/free gives the memory back after each run.
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(STARTUP_ERROR_CODES.MODEL_INVALID, `cannot load ONNX model ${modelPath}: ${reason}`, {
      cause: error,
    });
  }
}

export function describeGraph(session: ort.InferenceSession): GraphInfo {
  const describe = (meta: readonly ort.InferenceSession.ValueMetadata[]): GraphValue[] =>
    meta.map((m) =>
      m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] },
    );
  return { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
}

export async function runFeeds(
  session: ort.InferenceSession,
  feeds: Record<string, WireTensor>,
  fetches?: readonly string[],
): Promise<Record<string, WireTensor>> {
  const input: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    input[name] = new ort.Tensor(t.type as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
  }
  const results = fetches === undefined ? await session.run(input) : await session.run(input, [...fetches]);
  const out: Record<string, WireTensor> = {};
  for (const [name, tensor] of Object.entries(results)) {
    out[name] = { type: tensor.type as OrtType, data: tensor.data as TensorData, dims: [...tensor.dims] };
  }
  return out;
}

/**
 * Runs one job (texts are featurized here, padded to this batch); times it: featurization and
 * the session's own run, not the wait before the run. onnxruntime-node runs a session
 * synchronously inside a `setImmediate` that `session.run()` queues; an immediate queued just
 * before it fires right before it, so the run is timed from there. Timed from the call, the wait
 * for the event loop's check phase (a burst of socket reads, any stall) counted as inference: the
 * cost model took a loaded replica's small batches for long ones, and WORKERS=auto started a
 * worker the model did not need. `now` is injectable for tests.
 */
export async function runJob(session: ort.InferenceSession, job: Job, now: () => number = () => performance.now()): Promise<JobResult> {
  let runStart = Number.NaN;
  const marker = setImmediate(() => {
    runStart = now();
  });
  try {
    const start = now();
    const pending =
      job.kind === 'text' ? runFeeds(session, textFeeds(job.texts), TEXT_FETCHES) : runFeeds(session, job.feeds, job.fetches);
    const syncMs = now() - start; // featurization, tensors, the run queued
    const outputs = await pending;
    const end = now();
    // NaN: the run did not wait for an immediate (another onnxruntime-node): time all of it
    return { outputs, inferenceMs: Number.isNaN(runStart) ? end - start : syncMs + (end - runStart) };
  } finally {
    clearImmediate(marker);
  }
}
