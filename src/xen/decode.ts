/**
 * Reading hypercall argument structs. A cell passes plain objects whose fields are the C struct's
 * field names; a missing struct is what a bad guest pointer is to Xen (-EFAULT), while a struct with
 * a missing or non-numeric field is a notebook mistake (UsageError naming the field).
 */
import { UsageError } from "../machine/index.js";

export type Struct = Record<string, unknown>;

export function isStruct(a: unknown): a is Struct {
  return typeof a === "object" && a !== null && !Array.isArray(a);
}

/** An integer field; `def` is used when the field is absent (for fields real callers often leave 0). */
export function int(a: Struct, field: string, op: string, def?: number): number {
  const v = a[field];
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "bigint") return Number(v);
  if (v === undefined && def !== undefined) return def;
  throw new UsageError("bad-struct", `${op}: field "${field}" must be an integer, got ${v === undefined ? "nothing" : typeof v}`, `pass { ${field}: … } as the C struct names it`);
}

export function sub(a: Struct, field: string, op: string): Struct {
  const v = a[field];
  if (isStruct(v)) return v;
  throw new UsageError("bad-struct", `${op}: field "${field}" must be a struct (an object)`, `pass { ${field}: { … } } as the C struct names it`);
}
