/** Plain-object plumbing for merging config sources: deep merge, path set, deep freeze. */

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `over` wins; objects merge key by key, anything else (arrays included) is replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

/** Sets `value` at `path`, creating plain objects on the way. */
export function setPath(target: PlainObject, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    const next = node[key];
    if (isPlainObject(next)) node = next;
    else node = node[key] = {};
  });
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

/** Freezes `value` and everything reachable from it; the static type stays as inferred. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
