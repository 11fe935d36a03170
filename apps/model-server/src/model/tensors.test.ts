import { describe, expect, it } from 'vitest';
import { concatRows, flattenData, ortToV2, splitRows, tensorFromJson, tensorToJson, v2ToOrt } from './tensors.js';

describe('tensors', () => {
  it('maps v2 datatypes to onnxruntime types and back', () => {
    expect(v2ToOrt('FP32')).toBe('float32');
    expect(v2ToOrt('BYTES')).toBe('string');
    expect(ortToV2('int64')).toBe('INT64');
    expect(ortToV2('bool')).toBe('BOOL');
    expect(ortToV2('complex64')).toBeUndefined();
  });

  it('flattens nested row-major data', () => {
    expect(flattenData([[1, 2], [3, 4]], 2, 4)).toEqual({ ok: true, values: [1, 2, 3, 4] });
    expect(flattenData([[[1], [2]], [[3], [4]]], 3, 4)).toEqual({ ok: true, values: [1, 2, 3, 4] });
    expect(flattenData([1, [2, [3]], []], 3, 10)).toEqual({ ok: true, values: [1, 2, 3] });
  });

  it('refuses data nested deeper than allowed, or longer than needed, without recursion', () => {
    expect(flattenData([[[1]]], 2, 10)).toEqual({ ok: false, reason: 'too-deep' });
    expect(flattenData([1, 2, 3], 1, 2)).toEqual({ ok: false, reason: 'too-many' });
    expect(flattenData([[1, 2], [3]], 2, 2)).toEqual({ ok: false, reason: 'too-many' });
    // far deeper than the call stack allows for a recursive flatten
    let deep: unknown[] = [1];
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(flattenData(deep, 200_001, 1)).toEqual({ ok: true, values: [1] });
    expect(flattenData(deep, 8, 1)).toEqual({ ok: false, reason: 'too-deep' });
  });

  it('describes bad values without stringifying them whole', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i += 1) deep = { a: deep };
    expect(() => tensorFromJson('x', 'float32', [1], [deep], 'inputs[0].data')).toThrow("input 'x': an object is not a valid FP32 value");
    expect(() => tensorFromJson('x', 'float32', [1], ['y'.repeat(1000)])).toThrow(`"${'y'.repeat(40)}…" is not a valid FP32 value`);
  });

  it('builds typed tensors and checks every element', () => {
    expect(tensorFromJson('x', 'int64', [2], [1, -2]).data).toEqual(BigInt64Array.from([1n, -2n]));
    expect(tensorFromJson('x', 'bool', [2], [true, false]).data).toEqual(Uint8Array.from([1, 0]));
    expect(tensorFromJson('x', 'float32', [1], [0.5]).data).toEqual(Float32Array.from([0.5]));
    expect(() => tensorFromJson('x', 'int32', [1], [1.5])).toThrow("input 'x': 1.5 is not a valid INT32 value");
    expect(() => tensorFromJson('x', 'uint8', [1], [256])).toThrow("input 'x': 256 is not a valid UINT8 value");
    expect(() => tensorFromJson('x', 'bool', [1], [1])).toThrow("input 'x': BOOL data must be booleans");
    expect(() => tensorFromJson('x', 'float16', [1], [1])).toThrow('FP16 is not supported');
  });

  it('converts tensors back to JSON values', () => {
    expect(tensorToJson({ type: 'int64', dims: [2], data: BigInt64Array.from([3n, 4n]) })).toEqual([3, 4]);
    expect(tensorToJson({ type: 'bool', dims: [2], data: Uint8Array.from([1, 0]) })).toEqual([true, false]);
    expect(tensorToJson({ type: 'string', dims: [1], data: ['a'] })).toEqual(['a']);
  });

  it('stacks along the first dimension and splits back', () => {
    const a = { type: 'float32' as const, dims: [1, 2], data: Float32Array.from([1, 2]) };
    const b = { type: 'float32' as const, dims: [2, 2], data: Float32Array.from([3, 4, 5, 6]) };
    const stacked = concatRows([a, b]);
    expect(stacked.dims).toEqual([3, 2]);
    expect(Array.from(stacked.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const [x, y] = splitRows(stacked, [1, 2]);
    expect(x).toEqual(a);
    expect(y).toEqual(b);
    const strings = concatRows([
      { type: 'string', dims: [1], data: ['a'] },
      { type: 'string', dims: [1], data: ['b'] },
    ]);
    expect(strings).toEqual({ type: 'string', dims: [2], data: ['a', 'b'] });
  });
});
