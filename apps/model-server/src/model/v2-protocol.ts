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

function bad(message: string, field: string): ServerError {
  return new ServerError(ERROR_CODES.VALIDATION_FAILED, message, { field });
}

export interface RequestLimits {
  /** Rows (the batch dimension) one request may carry; the same cap as /predict's texts. */
  maxRequestRows: number;
}

/** Rank, fixed dimensions, no empty symbolic dimension, and the row cap on a batch dimension. */
function checkDims(input: V2Input, spec: TensorSpec, at: string, batchable: boolean, limits: RequestLimits): void {
  const shape = `[${input.shape}]`;
  if (spec.shape.length > 0 && input.shape.length !== spec.shape.length) {
    throw bad(`input '${input.name}': shape ${shape} has rank ${input.shape.length}, the model expects [${spec.shape}]`, `${at}.shape`);
  }
  spec.shape.forEach((dim, i) => {
    const given = input.shape[i] as number;
    if (dim >= 0 && given !== dim) throw bad(`input '${input.name}': shape ${shape} does not match the model's [${spec.shape}]`, `${at}.shape`);
    if (dim < 0 && given === 0) throw bad(`input '${input.name}': shape ${shape} has an empty dimension ${i}`, `${at}.shape`);
  });
  const rows = input.shape[0] ?? 1;
  if (batchable && spec.shape[0] === -1 && rows > limits.maxRequestRows) {
    throw bad(
      `input '${input.name}': ${rows} rows in shape ${shape}, at most ${limits.maxRequestRows} per request (split the request)`,
      `${at}.shape`,
    );
  }
}

/** The flat data of one input, checked against its shape (length, nesting depth). */
function checkData(input: V2Input, at: string): unknown[] {
  const expected = shapeSize(input.shape);
  const flat = flattenData(input.data, Math.max(1, input.shape.length), expected);
  if (!flat.ok && flat.reason === 'too-deep') {
    throw bad(`input '${input.name}': data is nested deeper than shape [${input.shape}] (rank ${input.shape.length})`, `${at}.data`);
  }
  const length = flat.ok ? flat.values.length : `more than ${expected}`;
  if (!flat.ok || flat.values.length !== expected) {
    throw bad(`input '${input.name}': data has ${length} elements, shape [${input.shape}] needs ${expected}`, `${at}.data`);
  }
  return flat.values;
}

function checkInput(input: V2Input, spec: TensorSpec, index: number, model: ServedModel, limits: RequestLimits): WireTensor {
  const at = `inputs[${index}]`;
  if (input.datatype !== spec.datatype) {
    throw bad(`input '${input.name}': datatype ${input.datatype} does not match the model's ${spec.datatype}`, `${at}.datatype`);
  }
  checkDims(input, spec, at, model.batchable, limits);
  const tensor = tensorFromJson(input.name, v2ToOrt(spec.datatype), [...input.shape], checkData(input, at), `${at}.data`);
  if (model.kind === 'text') checkTexts(input.name, tensor.data as string[], at);
  return tensor;
}

/** The same rule as /predict: every text has at least one character. */
function checkTexts(name: string, texts: readonly string[], at: string): void {
  const empty = texts.findIndex((text) => text.length === 0);
  if (empty >= 0) throw bad(`input '${name}': element ${empty} is an empty text; texts need at least 1 character`, `${at}.data`);
}

function checkNames(request: V2Request, model: ServedModel): void {
  const known = new Set(model.inputs.map((s) => s.name));
  const seen = new Set<string>();
  request.inputs.forEach((input, i) => {
    if (!known.has(input.name)) throw bad(`unexpected inference input '${input.name}' for model '${model.name}'`, `inputs[${i}].name`);
    if (seen.has(input.name)) throw bad(`input '${input.name}' is given more than once`, `inputs[${i}].name`);
    seen.add(input.name);
  });
  const missing = model.inputs.find((s) => !seen.has(s.name));
  if (missing) throw bad(`expected input '${missing.name}' for model '${model.name}'`, 'inputs');
  const outputs = new Set(model.outputs.map((s) => s.name));
  const unknown = request.outputs?.findIndex((o) => !outputs.has(o.name)) ?? -1;
  if (unknown >= 0) {
    throw bad(`unexpected inference output '${request.outputs?.[unknown]?.name}' for model '${model.name}'`, `outputs[${unknown}].name`);
  }
}

/** Validates a v2 infer request against the model and turns it into one batcher work item. */
export function toWorkItem(request: V2Request, model: ServedModel, limits: RequestLimits): WorkItem {
  checkNames(request, model);
  const specs = new Map(model.inputs.map((s) => [s.name, s]));
  const tensors = request.inputs.map(
    (input, i) => [input.name, checkInput(input, specs.get(input.name) as TensorSpec, i, model, limits)] as const,
  );
  const rows = tensors[0]?.[1].dims[0];
  const other = tensors.findIndex(([, t]) => t.dims[0] !== rows);
  if (model.batchable && other >= 0) throw bad('all inputs must have the same first (batch) dimension', `inputs[${other}].shape`);
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
