/**
 * Tensors as they travel between the HTTP layer and the workers (plain typed arrays, transferable),
 * and their mapping to the Open Inference Protocol v2 datatypes.
 */
import { ERROR_CODES, ServerError } from '../errors.js';

export const V2_DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES',
] as const;
export type V2Datatype = (typeof V2_DATATYPES)[number];

/** onnxruntime tensor element types this server can move (float16 is reported but not accepted as input). */
const ORT_BY_V2 = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
} as const satisfies Record<V2Datatype, string>;
export type OrtType = (typeof ORT_BY_V2)[V2Datatype];

const V2_BY_ORT = Object.fromEntries(Object.entries(ORT_BY_V2).map(([v2, ort]) => [ort, v2])) as Record<
  OrtType,
  V2Datatype
>;

export type TensorData =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | string[];

export interface WireTensor {
  type: OrtType;
  data: TensorData;
  dims: number[];
}

/** Shape of a graph input or output; symbolic dimensions are -1. */
export interface TensorSpec {
  name: string;
  datatype: V2Datatype;
  shape: number[];
}

export function v2ToOrt(datatype: V2Datatype): OrtType {
  return ORT_BY_V2[datatype];
}

export function ortToV2(type: string): V2Datatype | undefined {
  return V2_BY_ORT[type as OrtType];
}

export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

type NumericType = Exclude<OrtType, 'string' | 'bool' | 'float16'>;

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array,
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array,
} as const;

const INTEGER_RANGES: Partial<Record<NumericType, [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], uint64: [0, Number.MAX_SAFE_INTEGER],
};

function invalid(message: string, field: string | undefined): ServerError {
  return new ServerError(ERROR_CODES.VALIDATION_FAILED, message, field === undefined ? {} : { field });
}

/**
 * Flattens KServe's row-major nested `data` arrays into one flat array, without recursion (a
 * deeply nested body cannot overflow the stack): arrays may nest at most `maxDepth` levels
 * (flat data is depth 1; a tensor of rank r nests at most r), and flattening stops past
 * `maxElements`. Returns the reason instead of throwing so the caller names the field.
 */
export function flattenData(
  data: readonly unknown[],
  maxDepth: number,
  maxElements: number,
): { ok: true; values: unknown[] } | { ok: false; reason: 'too-deep' | 'too-many' } {
  if (!data.some(Array.isArray)) return data.length > maxElements ? { ok: false, reason: 'too-many' } : { ok: true, values: data as unknown[] };
  const values: unknown[] = [];
  const stack: { array: readonly unknown[]; next: number }[] = [{ array: data, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { array: readonly unknown[]; next: number };
    if (top.next >= top.array.length) {
      stack.pop();
      continue;
    }
    const value = top.array[top.next];
    top.next += 1;
    if (Array.isArray(value)) {
      if (stack.length >= maxDepth) return { ok: false, reason: 'too-deep' };
      stack.push({ array: value, next: 0 });
    } else {
      values.push(value);
      if (values.length > maxElements) return { ok: false, reason: 'too-many' };
    }
  }
  return { ok: true, values };
}

/** A short, safe description of a JSON value for an error message (never stringifies a deep value). */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/**
 * Converts the JSON `data` of one v2 input into a typed tensor, checking every element; errors
 * name `field` (the input's `data`, e.g. `inputs[0].data`).
 */
export function tensorFromJson(name: string, type: OrtType, dims: number[], values: readonly unknown[], field?: string): WireTensor {
  if (type === 'string') {
    if (!values.every((v) => typeof v === 'string')) throw invalid(`input '${name}': BYTES data must be strings`, field);
    return { type, dims, data: values as string[] };
  }
  if (type === 'bool') {
    if (!values.every((v) => typeof v === 'boolean')) throw invalid(`input '${name}': BOOL data must be booleans`, field);
    return { type, dims, data: Uint8Array.from(values as boolean[], (v) => (v ? 1 : 0)) };
  }
  if (type === 'float16') throw invalid(`input '${name}': datatype FP16 is not supported as input`, field);
  checkNumbers(name, type, values, field);
  const numbers = values as number[];
  if (type === 'int64') return { type, dims, data: BigInt64Array.from(numbers, (v) => BigInt(v)) };
  if (type === 'uint64') return { type, dims, data: BigUint64Array.from(numbers, (v) => BigInt(v)) };
  return { type, dims, data: ARRAYS[type].from(numbers) };
}

function checkNumbers(name: string, type: NumericType, values: readonly unknown[], field: string | undefined): void {
  const range = INTEGER_RANGES[type];
  for (const value of values) {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (range === undefined || (Number.isInteger(value) && value >= range[0] && value <= range[1]));
    if (!ok) {
      const datatype = ortToV2(type) ?? type;
      throw invalid(`input '${name}': ${describeValue(value)} is not a valid ${datatype} value`, field);
    }
  }
}

/** JSON-ready values of a tensor (bigints as numbers, bools as booleans). */
export function tensorToJson(tensor: WireTensor): unknown[] {
  const { type, data } = tensor;
  if (type === 'string') return data as string[];
  if (type === 'bool') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  return Array.from(data as ArrayLike<number>);
}

/** Concatenates tensors of the same type and trailing shape along the first dimension. */
export function concatRows(tensors: readonly WireTensor[]): WireTensor {
  const first = tensors[0];
  if (first === undefined) throw new RangeError('concatRows needs at least one tensor');
  if (tensors.length === 1) return first;
  const rows = tensors.reduce((sum, t) => sum + (t.dims[0] ?? 0), 0);
  const dims = [rows, ...first.dims.slice(1)];
  if (first.type === 'string') {
    return { type: first.type, dims, data: tensors.flatMap((t) => t.data as string[]) };
  }
  const total = tensors.reduce((sum, t) => sum + t.data.length, 0);
  const Ctor = (first.data as Float32Array).constructor as new (n: number) => Exclude<TensorData, string[]>;
  const out = new Ctor(total);
  let offset = 0;
  for (const t of tensors) {
    (out as Float32Array).set(t.data as Float32Array, offset);
    offset += t.data.length;
  }
  return { type: first.type, dims, data: out };
}

/** Splits a tensor along its first dimension into consecutive pieces of `rows[i]` rows. */
export function splitRows(tensor: WireTensor, rows: readonly number[]): WireTensor[] {
  const total = tensor.dims[0] ?? 0;
  const perRow = total === 0 ? 0 : tensor.data.length / total;
  let start = 0;
  return rows.map((count) => {
    const data = tensor.data.slice(start * perRow, (start + count) * perRow) as TensorData;
    start += count;
    return { type: tensor.type, dims: [count, ...tensor.dims.slice(1)], data };
  });
}
