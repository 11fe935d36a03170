/** Deep merge of plain JSON objects (pure): for patching a generated config with a few settings. */
export type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `base` with `patch` laid over it: objects are merged key by key, anything else (arrays,
 * scalars, null) in `patch` replaces what `base` has. Neither argument is modified.
 */
export function mergeJson(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeJson(current, value) : value;
  }
  return out;
}
