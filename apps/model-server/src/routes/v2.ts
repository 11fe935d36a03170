/**
 * Open Inference Protocol v2 (KServe V2 / Triton REST) for the served model:
 * server metadata and health, model metadata and readiness, and infer, with or without
 * `/versions/{version}`. Errors here are `{"error": "..."}` as the protocol specifies.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ERROR_CODES, ServerError } from '../errors.js';
import { toV2Outputs, toWorkItem, type V2Request } from '../model/v2-protocol.js';
import { V2_DATATYPES } from '../model/tensors.js';
import { prepareErrorReply } from '../plugins/errors.js';

interface ModelParams {
  name: string;
  version?: string;
}

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
          shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
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

export default async function v2Routes(app: FastifyInstance, { serverVersion }: { serverVersion: string }): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    return reply.send({ error: prepareErrorReply(error, request, reply).message });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no v2 route ${request.method} ${request.url}` }));

  const model = () => app.inference.model;
  const resolve = ({ name, version }: ModelParams) => {
    const m = model();
    if (name !== m.name) throw new ServerError(ERROR_CODES.NOT_FOUND, `model '${name}' is not served here`);
    if (version !== undefined && version !== m.version) {
      throw new ServerError(ERROR_CODES.NOT_FOUND, `version '${version}' of model '${name}' is not served here`);
    }
    return m;
  };
  const tags = ['v2'];

  app.get('/', { schema: { tags, summary: 'Server metadata' } }, async () => ({
    name: 'fleet-model-server',
    version: serverVersion,
    extensions: [],
  }));
  app.get('/health/live', { schema: { tags, summary: 'Server liveness' } }, async () => ({ live: true }));
  app.get('/health/ready', { schema: { tags, summary: 'Server readiness' } }, async (_request, reply: FastifyReply) =>
    reply.status(app.lifecycle.ready ? 200 : 503).send({ ready: app.lifecycle.ready }),
  );

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
  const metadata = async (request: { params: ModelParams }) => {
    const m = resolve(request.params);
    return { name: m.name, versions: [m.version], platform: m.platform, inputs: m.inputs, outputs: m.outputs };
  };
  app.get<{ Params: ModelParams }>('/models/:name', { schema: metadataSchema }, metadata);
  app.get<{ Params: ModelParams }>('/models/:name/versions/:version', { schema: metadataSchema }, metadata);

  const ready = async (request: { params: ModelParams }, reply: FastifyReply) => {
    const m = resolve(request.params);
    return reply.status(app.lifecycle.ready ? 200 : 503).send({ name: m.name, ready: app.lifecycle.ready });
  };
  app.get<{ Params: ModelParams }>('/models/:name/ready', { schema: { tags, summary: 'Model readiness' } }, ready);
  app.get<{ Params: ModelParams }>('/models/:name/versions/:version/ready', { schema: { tags, summary: 'Model readiness' } }, ready);

  const infer = async (request: { params: ModelParams; body: V2Request }) => {
    const m = resolve(request.params);
    const item = toWorkItem(request.body, m);
    const outputs = await app.inference.infer(item);
    const requested = request.body.outputs?.map((o) => o.name);
    return {
      model_name: m.name,
      model_version: m.version,
      ...(request.body.id !== undefined ? { id: request.body.id } : {}),
      outputs: toV2Outputs(outputs, m, requested),
    };
  };
  const inferSchema = { tags, summary: 'Inference', body: inferBody };
  app.post<{ Params: ModelParams; Body: V2Request }>('/models/:name/infer', { schema: inferSchema }, infer);
  app.post<{ Params: ModelParams; Body: V2Request }>('/models/:name/versions/:version/infer', { schema: inferSchema }, infer);
}
