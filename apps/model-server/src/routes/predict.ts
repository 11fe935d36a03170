/**
 * POST /predict for the reference text model: `{"text": "..."}` or `{"texts": ["...", ...]}`
 * → labels and probabilities. Each request joins the dynamic batcher as one unit.
 */
import { MODEL_INFO } from '@fleet/model';
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, ServerError } from '../errors.js';

/**
 * One property per class of the reference model (the only model /predict serves): the response
 * is serialised by fast-json-stringify from this schema, with no generic-object fallback.
 */
const probabilities = {
  type: 'object',
  properties: Object.fromEntries(MODEL_INFO.labels.map((label) => [label, { type: 'number' }])),
  required: [...MODEL_INFO.labels],
  additionalProperties: false,
} as const;
const prediction = {
  type: 'object',
  properties: { label: { type: 'string' }, probabilities },
  required: ['label', 'probabilities'],
} as const;

/** The body schema; `maxRequestRows` (MAX_REQUEST_ROWS, default 256) caps the texts of one request. */
export function predictBodySchema(maxRequestRows: number) {
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

export const predictResponse = {
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

export const errorResponse = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string' },
    server_id: { type: 'string' },
  },
  required: ['code', 'message'],
} as const;

export interface PredictBody {
  text?: string;
  texts?: string[];
}

export interface PredictReply {
  server_id: string;
  model: { name: string; version: string };
  predictions: { label: string; probabilities: Record<string, number> }[];
  label?: string;
  probabilities?: Record<string, number>;
}

export default async function predictRoutes(app: FastifyInstance, { limits }: { limits: { maxRequestRows: number } }): Promise<void> {
  let modelRef: PredictReply['model'] | undefined;
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
      modelRef ??= { name: model.name, version: model.version };
      if (model.kind !== 'text') {
        throw new ServerError(
          ERROR_CODES.MODEL_NOT_TEXT,
          `the loaded model '${model.name}' does not take text; use POST /v2/models/${model.name}/infer`,
        );
      }
      const single = request.body.text;
      const texts = single === undefined ? (request.body.texts ?? []) : [single];
      const predictions = await app.inference.predictTexts(texts);
      // server_id set here: the server-id hook then passes the object through without a copy
      const body: PredictReply = { server_id: app.serverId, model: modelRef, predictions };
      if (single !== undefined) {
        const first = predictions[0] as PredictReply['predictions'][number];
        body.label = first.label;
        body.probabilities = first.probabilities;
      }
      return body;
    },
  );
}
