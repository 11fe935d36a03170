/**
 * `POST /bench/echo` (only with BENCH_ECHO=on): `/predict` without the inference — the same
 * body schema and validation, the same hooks, a body of the same shape and size serialised by
 * the same response schema — so the benchmark measures the HTTP floor of this very app in the
 * same run as `/predict` (issue 11: per-request CPU ≤ 1.5× this floor at c=8).
 */
import { MODEL_INFO } from '@fleet/model';
import type { FastifyInstance } from 'fastify';
import { errorResponse, predictBodySchema, predictResponse, type PredictBody, type PredictReply } from './predict.js';

export default async function benchEchoRoutes(app: FastifyInstance, { limits }: { limits: { maxRequestRows: number } }): Promise<void> {
  const model = { name: MODEL_INFO.name, version: MODEL_INFO.version };
  const [first = 'ham', second = 'spam'] = MODEL_INFO.labels;
  app.post<{ Body: PredictBody }>(
    '/bench/echo',
    {
      schema: {
        hide: true,
        body: predictBodySchema(limits.maxRequestRows),
        response: { 200: predictResponse, '4xx': errorResponse, '5xx': errorResponse },
      },
    },
    async (request) => {
      const single = request.body.text;
      const count = single === undefined ? (request.body.texts?.length ?? 0) : 1;
      const predictions: PredictReply['predictions'] = new Array(count);
      for (let i = 0; i < count; i += 1) {
        predictions[i] = { label: first, probabilities: { [first]: 0.987654321, [second]: 0.012345679 } };
      }
      const body: PredictReply = { server_id: app.serverId, model, predictions };
      if (single !== undefined) {
        body.label = first;
        body.probabilities = (predictions[0] as PredictReply['predictions'][number]).probabilities;
      }
      return body;
    },
  );
}
