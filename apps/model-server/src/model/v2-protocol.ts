/**
 * Open Inference Protocol v2 (KServe / Triton REST) request checks and response assembly:
 * inputs are matched to the served model by name, datatype, rank and fixed dimensions, and the
 * data length must equal the product of the shape.
 */
import { ERROR_CODES, ServerError } from '../errors.js';
import type { Outputs, WorkItem } from './runtime.js';
import { labelRows } from './runtime.js';
import { LABEL_OUTPUT, PROBABILITIES_OUTPUT, TEXT_INPUT, type ServedModel } from './served-model.js';
import { flattenData, shapeSize, tensorFromJson, tensorToJson, v2ToOrt, type TensorSpec, type V2Datatype, type WireTensor } from './tensors.js';

export interface V2Input {
  name: string;
  shape: number[];
  datatype: V2Datatype;
  data: unknown[];
  parameters?: Record<string, unknown>;
}

export interface V2Request {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: V2Input[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

export interface V2Output {
  name: string;
  datatype: V2Datatype;
  shape: number[];
  data: unknown[];
}

function bad(message: string): ServerError {
  return new ServerError(ERROR_CODES.VALIDATION_FAILED, message);
}

function checkShape(input: V2Input, spec: TensorSpec): unknown[] {
  if (input.datatype !== spec.datatype) {
    throw bad(`input '${input.name}': datatype ${input.datatype} does not match the model's ${spec.datatype}`);
  }
  if (spec.shape.length > 0 && input.shape.length !== spec.shape.length) {
    throw bad(`input '${input.name}': shape [${input.shape}] has rank ${input.shape.length}, the model expects [${spec.shape}]`);
  }
  spec.shape.forEach((dim, i) => {
    if (dim >= 0 && input.shape[i] !== dim) {
      throw bad(`input '${input.name}': shape [${input.shape}] does not match the model's [${spec.shape}]`);
    }
  });
  const data = flattenData(input.data);
  const expected = shapeSize(input.shape);
  if (data.length !== expected) {
    throw bad(`input '${input.name}': data has ${data.length} elements, shape [${input.shape}] needs ${expected}`);
  }
  return data;
}

function checkNames(request: V2Request, model: ServedModel): void {
  const known = new Set(model.inputs.map((s) => s.name));
  const seen = new Set<string>();
  for (const input of request.inputs) {
    if (!known.has(input.name)) throw bad(`unexpected inference input '${input.name}' for model '${model.name}'`);
    if (seen.has(input.name)) throw bad(`input '${input.name}' is given more than once`);
    seen.add(input.name);
  }
  const missing = model.inputs.find((s) => !seen.has(s.name));
  if (missing) throw bad(`expected input '${missing.name}' for model '${model.name}'`);
  const outputs = new Set(model.outputs.map((s) => s.name));
  const unknown = request.outputs?.find((o) => !outputs.has(o.name));
  if (unknown) throw bad(`unexpected inference output '${unknown.name}' for model '${model.name}'`);
}

/** Validates a v2 infer request against the model and turns it into one batcher work item. */
export function toWorkItem(request: V2Request, model: ServedModel): WorkItem {
  checkNames(request, model);
  const specs = new Map(model.inputs.map((s) => [s.name, s]));
  const tensors = request.inputs.map((input) => {
    const spec = specs.get(input.name) as TensorSpec;
    const data = checkShape(input, spec);
    return [input.name, tensorFromJson(input.name, v2ToOrt(spec.datatype), [...input.shape], data)] as const;
  });
  const rows = new Set(tensors.map(([, t]) => t.dims[0]));
  if (model.batchable && rows.size > 1) throw bad('all inputs must have the same first (batch) dimension');
  if (model.kind === 'text') {
    const [, text] = tensors[0] as readonly [string, WireTensor];
    return { kind: 'text', texts: text.data as string[] };
  }
  const fetches = request.outputs?.map((o) => o.name);
  return { kind: 'tensors', feeds: Object.fromEntries(tensors), ...(fetches ? { fetches } : {}) };
}

/** The v2 `outputs` array, in the model's output order, limited to the requested ones. */
export function toV2Outputs(outputs: Outputs, model: ServedModel, requested?: readonly string[]): V2Output[] {
  const tensors: Record<string, WireTensor> = { ...outputs };
  if (model.kind === 'text') {
    const probabilities = outputs[PROBABILITIES_OUTPUT] as WireTensor;
    const labels = labelRows(model, probabilities).map((r) => r.label);
    tensors[LABEL_OUTPUT] = { type: 'string', data: labels, dims: [labels.length] };
  }
  const wanted = requested ?? model.outputs.map((s) => s.name);
  return model.outputs
    .filter((spec) => wanted.includes(spec.name) && tensors[spec.name] !== undefined)
    .map((spec) => {
      const tensor = tensors[spec.name] as WireTensor;
      return { name: spec.name, datatype: spec.datatype, shape: tensor.dims, data: tensorToJson(tensor) };
    });
}

export { TEXT_INPUT };
