/**
 * POST /predict for the reference text model: `{"text": "..."}` or `{"texts": ["...", ...]}`
 * → labels and probabilities. Each request joins the dynamic batcher as one unit.
 */
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, ServerError } from '../errors.js';

const probabilities = { type: 'object', additionalProperties: { type: 'number' } } as const;
const prediction = {
  type: 'object',
  properties: { label: { type: 'string' }, probabilities },
  required: ['label', 'probabilities'],
} as const;

/** The body schema; `maxRequestRows` (MAX_REQUEST_ROWS, default 256) caps the texts of one request. */
function predictBodySchema(maxRequestRows: number) {
  return {
    type: 'object',
    properties: {
      text: { type: 'string', minLength: 1, description: 'One text to classify' },
      texts: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        maxItems: maxRequestRows,
        description: 'Several texts, classified in one request',
      },
    },
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    examples: [
      { text: 'Congratulations, you have been selected for a cash prize' },
      { texts: ['Can we move the meeting to Tuesday?', 'WIN a FREE cruise!!! Click now'] },
    ],
  } as const;
}

const predictResponse = {
  type: 'object',
  properties: {
    server_id: { type: 'string' },
    model: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } },
    predictions: { type: 'array', items: prediction },
    label: { type: 'string', description: 'Only for {"text"} requests' },
    probabilities: { ...probabilities, description: 'Only for {"text"} requests' },
  },
  required: ['server_id', 'model', 'predictions'],
} as const;

const errorResponse = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string' },
    server_id: { type: 'string' },
  },
  required: ['code', 'message'],
} as const;

interface PredictBody {
  text?: string;
  texts?: string[];
}

export default async function predictRoutes(app: FastifyInstance, { limits }: { limits: { maxRequestRows: number } }): Promise<void> {
  app.post<{ Body: PredictBody }>(
    '/predict',
    {
      schema: {
        tags: ['inference'],
        summary: 'Classify one or more texts with the reference model',
        body: predictBodySchema(limits.maxRequestRows),
        response: { 200: predictResponse, '4xx': errorResponse, '5xx': errorResponse },
      },
    },
    async (request) => {
      const { model } = app.inference;
      if (model.kind !== 'text') {
        throw new ServerError(
          ERROR_CODES.MODEL_NOT_TEXT,
          `the loaded model '${model.name}' does not take text; use POST /v2/models/${model.name}/infer`,
        );
      }
      const single = request.body.text;
      const texts = single === undefined ? (request.body.texts ?? []) : [single];
      const predictions = await app.inference.predictTexts(texts);
      const head = single === undefined ? {} : (predictions[0] ?? {});
      return { model: { name: model.name, version: model.version }, predictions, ...head };
    },
  );
}
