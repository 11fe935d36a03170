/** A runnable v2 infer request for the served model (Swagger UI's "Try it out"). */
import { WARMUP } from '@fleet/model';
import type { ServedModel } from './served-model.js';
import { shapeSize, type V2Datatype } from './tensors.js';

/** Inputs larger than this get a shape but no example data (the document stays small). */
const MAX_EXAMPLE_ELEMENTS = 4096;

function zero(datatype: V2Datatype): unknown {
  if (datatype === 'BYTES') return 'text';
  if (datatype === 'BOOL') return false;
  return 0;
}

export function inferExample(model: ServedModel): Record<string, unknown> {
  if (model.kind === 'text') {
    return { id: 'example-1', inputs: [{ name: 'text', shape: [WARMUP.texts.length], datatype: 'BYTES', data: [...WARMUP.texts] }] };
  }
  const inputs = model.inputs.map((spec) => {
    const shape = spec.shape.map((dim) => (dim >= 0 ? dim : 1));
    const size = shapeSize(shape);
    return { name: spec.name, shape, datatype: spec.datatype, data: size > MAX_EXAMPLE_ELEMENTS ? [] : new Array(size).fill(zero(spec.datatype)) };
  });
  return { id: 'example-1', inputs };
}
