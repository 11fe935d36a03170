/**
 * Warm-up for graphs other than the reference model: one row of zeros per input (symbolic
 * dimensions set to 1), and a check that every numeric output came back finite.
 */
import { STARTUP_ERROR_CODES, StartupError } from '../errors.js';
import type { GraphInfo } from './graph.js';
import { shapeSize, tensorFromJson, type OrtType, type WireTensor } from './tensors.js';

function zeroValue(type: OrtType): unknown {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  return 0;
}

export function warmupFeeds(graph: GraphInfo): Record<string, WireTensor> {
  const feeds: Record<string, WireTensor> = {};
  for (const input of graph.inputs) {
    if (input.type === 'non-tensor' || input.type === 'float16') {
      throw new StartupError(
        STARTUP_ERROR_CODES.MODEL_INVALID,
        `input '${input.name}' has type ${input.type}, which this server cannot feed`,
      );
    }
    const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const type = input.type as OrtType;
    feeds[input.name] = tensorFromJson(input.name, type, dims, new Array(shapeSize(dims)).fill(zeroValue(type)));
  }
  return feeds;
}

export function checkFiniteOutputs(outputs: Record<string, WireTensor>): void {
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.data instanceof Float32Array || tensor.data instanceof Float64Array) {
      if (!tensor.data.every(Number.isFinite)) {
        throw new StartupError(STARTUP_ERROR_CODES.WARMUP_FAILED, `warm-up output '${name}' is not finite`);
      }
    }
  }
}
