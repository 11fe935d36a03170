/**
 * Inference worker: owns one onnxruntime session, runs one job at a time.
 * Started by pool.ts with `workerData: WorkerInit`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import { StartupError } from '../errors.js';
import type { FromWorker, ToWorker, WorkerInit } from './jobs.js';
import { describeGraph, openSession, runJob } from './session.js';

const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');

function send(message: FromWorker): void {
  (port as NonNullable<typeof port>).postMessage(message);
}

async function main(init: WorkerInit): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await openSession(init.modelPath, { intraOpThreads: init.intraOpThreads });
  } catch (error) {
    const code = error instanceof StartupError ? error.code : 'MODEL_INVALID';
    send({ type: 'init-error', code, message: error instanceof Error ? error.message : String(error) });
    return;
  }
  port?.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      void session.release().finally(() => send({ type: 'closed' }));
      return;
    }
    runJob(session, message.job).then(
      // outputs are copied, not transferred: their buffers belong to onnxruntime
      (result) => send({ type: 'result', id: message.id, result }),
      (error: unknown) =>
        send({ type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error) }),
    );
  });
  send({ type: 'ready', graph: describeGraph(session) });
}

void main(workerData as WorkerInit);
