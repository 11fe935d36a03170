/**
 * Open Inference Protocol v2 (KServe V2 / Triton REST) for the served model:
 * server metadata and health, model metadata and readiness, and infer, with or without
 * `/versions/{version}`. Errors here are `{"error": "..."}` as the protocol specifies.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ERROR_CODES, ServerError } from '../errors.js';
import { toV2Outputs, toWorkItem, type RequestLimits, type V2Request } from '../model/v2-protocol.js';
import type { ServedModel } from '../model/served-model.js';
import { V2_DATATYPES } from '../model/tensors.js';
import { prepareErrorReply } from '../plugins/errors.js';

interface ModelParams {
  name: string;
  version?: string;
}

/** Most dimensions an input may have (ONNX Runtime kernels handle up to 8 in practice). */
const MAX_RANK = 16;

const tensorMetadata = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    datatype: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
  },
} as const;

const inferBody = {
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters: { type: 'object' },
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype', 'data'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', maxItems: MAX_RANK, items: { type: 'integer', minimum: 0 } },
          datatype: { type: 'string', enum: V2_DATATYPES },
          parameters: { type: 'object' },
          data: { type: 'array' },
        },
      },
    },
    outputs: {
      type: 'array',
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, parameters: { type: 'object' } } },
    },
  },
} as const;

const tags = ['v2'];

const metadataSchema = {
  tags,
  summary: 'Model metadata',
  response: {
    200: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        versions: { type: 'array', items: { type: 'string' } },
        platform: { type: 'string' },
        inputs: { type: 'array', items: tensorMetadata },
        outputs: { type: 'array', items: tensorMetadata },
        server_id: { type: 'string' },
      },
    },
  },
};

/** The served model when the path names it (and its version, if given); 404 otherwise. */
function resolveModel(model: ServedModel, { name, version }: ModelParams): ServedModel {
  if (name !== model.name) throw new ServerError(ERROR_CODES.NOT_FOUND, `model '${name}' is not served here`);
  if (version !== undefined && version !== model.version) {
    throw new ServerError(ERROR_CODES.NOT_FOUND, `version '${version}' of model '${name}' is not served here`);
  }
  return model;
}

function serverRoutes(app: FastifyInstance, serverVersion: string): void {
  app.get('/', { schema: { tags, summary: 'Server metadata' } }, async () => ({
    name: 'fleet-model-server',
    version: serverVersion,
    extensions: [],
  }));
  app.get('/health/live', { schema: { tags, summary: 'Server liveness' } }, async () => ({ live: true }));
  app.get('/health/ready', { schema: { tags, summary: 'Server readiness' } }, async (_request, reply: FastifyReply) =>
    reply.status(app.lifecycle.ready ? 200 : 503).send({ ready: app.lifecycle.ready }),
  );
}

function modelRoutes(app: FastifyInstance): void {
  const find = (params: ModelParams) => resolveModel(app.inference.model, params);
  const metadata = async (request: { params: ModelParams }) => {
    const m = find(request.params);
    return { name: m.name, versions: [m.version], platform: m.platform, inputs: m.inputs, outputs: m.outputs };
  };
  const ready = async (request: { params: ModelParams }, reply: FastifyReply) => {
    const m = find(request.params);
    return reply.status(app.lifecycle.ready ? 200 : 503).send({ name: m.name, ready: app.lifecycle.ready });
  };
  const readySchema = { schema: { tags, summary: 'Model readiness' } };
  for (const base of ['/models/:name', '/models/:name/versions/:version']) {
    app.get<{ Params: ModelParams }>(base, { schema: metadataSchema }, metadata);
    app.get<{ Params: ModelParams }>(`${base}/ready`, readySchema, ready);
  }
}

function inferRoutes(app: FastifyInstance, limits: RequestLimits): void {
  const infer = async (request: { params: ModelParams; body: V2Request }) => {
    const m = resolveModel(app.inference.model, request.params);
    const outputs = await app.inference.infer(toWorkItem(request.body, m, limits));
    return {
      model_name: m.name,
      model_version: m.version,
      ...(request.body.id !== undefined ? { id: request.body.id } : {}),
      outputs: toV2Outputs(outputs, m, request.body.outputs?.map((o) => o.name)),
    };
  };
  const schema = { tags, summary: 'Inference', body: inferBody };
  app.post<{ Params: ModelParams; Body: V2Request }>('/models/:name/infer', { schema }, infer);
  app.post<{ Params: ModelParams; Body: V2Request }>('/models/:name/versions/:version/infer', { schema }, infer);
}

export interface V2RoutesOptions {
  serverVersion: string;
  limits: RequestLimits;
}

/**
 * The protocol's `{"error": "..."}`, plus this server's stable `code` (and `field` for
 * validation errors) so clients can branch without parsing the message.
 */
function v2Error(error: { code: string; message: string; field?: string }): Record<string, string> {
  const body: Record<string, string> = { error: error.message, code: error.code };
  if (error.field !== undefined) body.field = error.field;
  return body;
}

export default async function v2Routes(app: FastifyInstance, { serverVersion, limits }: V2RoutesOptions): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => reply.send(v2Error(prepareErrorReply(error, request, reply))));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(v2Error({ code: ERROR_CODES.NOT_FOUND, message: `no v2 route ${request.method} ${request.url}` })),
  );
  serverRoutes(app, serverVersion);
  modelRoutes(app);
  inferRoutes(app, limits);
}
