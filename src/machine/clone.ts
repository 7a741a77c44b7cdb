/**
 * Deep copy of snapshot data. Snapshots hold plain data only — objects, arrays, Maps, Sets, typed
 * arrays, numbers, strings, booleans, bigints, null and undefined — so that a snapshot can never
 * alias live machine state. Anything else (a function, a class instance) is a bug in a layer's
 * save(), reported with the path to the offending value.
 */
import { InvariantError } from "./errors.js";

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array | BigUint64Array;

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

export function cloneData<T>(value: T, path = "snapshot"): T {
  return cloneAt(value, path) as T;
}

function cloneAt(v: unknown, path: string): unknown {
  if (v === null || typeof v !== "object") {
    if (typeof v === "function" || typeof v === "symbol") {
      throw new InvariantError(`${path} is a ${typeof v}: snapshot data must be plain data`);
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => cloneAt(x, `${path}[${i}]`));
  if (isTypedArray(v)) return v.slice();
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v) out.set(cloneAt(k, `${path}.key`), cloneAt(x, `${path}.get(${String(k)})`));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    for (const x of v) out.add(cloneAt(x, `${path}.item`));
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new InvariantError(`${path} is an instance of ${proto?.constructor?.name ?? "?"}: snapshot data must be plain data`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = cloneAt((v as Record<string, unknown>)[key], `${path}.${key}`);
  return out;
}
