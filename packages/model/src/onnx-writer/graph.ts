/**
 * A tiny, deterministic ONNX graph writer on top of onnx-proto (the official onnx.proto
 * compiled for protobufjs). Fields are always written in the same order and tensors go in
 * `raw_data` as little-endian bytes, so the same spec always yields the same bytes.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Default opset of the ai.onnx domain, and the IR version that goes with it. */
export const DEFAULT_OPSET = 13;
const IR_VERSION_FOR_OPSET: Readonly<Record<number, number>> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8 };

export type ElemType = 'float32' | 'int64';
/** A dimension: a fixed size, or a symbolic name such as 'batch'. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: ElemType;
  shape: readonly Dim[];
}

export type TensorData = Float32Array | BigInt64Array;

export interface Initializer {
  name: string;
  dims: readonly number[];
  data: TensorData;
}

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'string'; value: string };

/** Attribute constructors: `attr.int(-1)`, `attr.float(1e-9)`, `attr.ints([1])`, `attr.string('x')`. */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
} as const;

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface ModelSpec {
  graphName: string;
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  initializers: readonly Initializer[];
  nodes: readonly NodeSpec[];
  opset?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Written as metadata_props, sorted by key. */
  metadata?: Readonly<Record<string, string>>;
}

export const WRITER_ERROR_CODES = {
  UNSUPPORTED_OPSET: 'ONNX_WRITER_UNSUPPORTED_OPSET',
  BAD_INITIALIZER: 'ONNX_WRITER_BAD_INITIALIZER',
} as const;
export type WriterErrorCode = (typeof WRITER_ERROR_CODES)[keyof typeof WRITER_ERROR_CODES];

export class OnnxWriterError extends Error {
  override readonly name = 'OnnxWriterError';
  constructor(
    readonly code: WriterErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const ELEM_TYPE = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64 } as const;

function valueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: ELEM_TYPE[v.type], shape: { dim } } } };
}

function rawBytes(data: TensorData): Uint8Array {
  // Typed arrays are little-endian on every platform Node supports; copy to own the buffer.
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function initializer(init: Initializer): onnxProto.onnx.ITensorProto {
  const size = init.dims.reduce((a, b) => a * b, 1);
  if (size !== init.data.length) {
    throw new OnnxWriterError(
      WRITER_ERROR_CODES.BAD_INITIALIZER,
      `initializer ${init.name}: dims [${init.dims.join(', ')}] hold ${size} values, data has ${init.data.length}`,
    );
  }
  const dataType = init.data instanceof Float32Array ? ELEM_TYPE.float32 : ELEM_TYPE.int64;
  return { name: init.name, dims: [...init.dims], dataType, rawData: rawBytes(init.data) };
}

function attribute(name: string, a: AttributeValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function node(n: NodeSpec, index: number): onnxProto.onnx.INodeProto {
  const attrs = Object.entries(n.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    input: [...n.inputs],
    output: [...n.outputs],
    name: n.name ?? `${n.op}_${index}`,
    opType: n.op,
    attribute: attrs.map(([name, value]) => attribute(name, value)),
  };
}

/** Serializes a model spec to ONNX protobuf bytes (deterministic). */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const opset = spec.opset ?? DEFAULT_OPSET;
  const irVersion = IR_VERSION_FOR_OPSET[opset];
  if (irVersion === undefined) {
    throw new OnnxWriterError(WRITER_ERROR_CODES.UNSUPPORTED_OPSET, `opset ${opset} is not supported (13..18)`);
  }
  const metadata = Object.entries(spec.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const model = onnx.ModelProto.create({
    irVersion,
    opsetImport: [{ domain: '', version: opset }],
    producerName: spec.producerName ?? '@fleet/model onnx-writer',
    producerVersion: spec.producerVersion ?? '1',
    docString: spec.docString ?? '',
    graph: {
      name: spec.graphName,
      node: spec.nodes.map(node),
      initializer: spec.initializers.map(initializer),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
    metadataProps: metadata.map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Encodes a model spec and writes it to `path` (parent folders created). */
export async function writeModel(spec: ModelSpec, path: string): Promise<Uint8Array> {
  const bytes = encodeModel(spec);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return bytes;
}
