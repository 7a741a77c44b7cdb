/**
 * arquero tables as a mime bundle: `text/html` from arquero's `toHTML` (what classic Notebook and
 * nbconvert show), `application/vnd.dataresource+json` (Table Schema `{schema: {fields: [{name,
 * type}]}, data: [...]}`, what JupyterLab's data explorer, nteract and Deno use) and `text/plain`.
 * Rows are capped (default 100, arquero's own default since 4.7) because unbounded tables crash
 * notebooks (uwdata/arquero#176); every part says how many rows it left out.
 */
import type { ColumnTable } from "arquero";
import type { MimeBundle } from "./protocol.js";

export const DATARESOURCE_MIME = "application/vnd.dataresource+json";

export interface TableBundleOptions {
  /** Most rows to include (default 100). */
  limit?: number;
}

/** Table Schema field types (frictionlessdata table-schema) that we infer. */
export type FieldType = "string" | "integer" | "number" | "boolean" | "datetime" | "array" | "object" | "any";

export interface DataResource {
  schema: { fields: { name: string; type: FieldType }[] };
  data: Record<string, unknown>[];
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`table limit must be a whole number ≥ 0, got ${limit}`);
  return limit;
}

/**
 * The table as HTML via arquero's `toHTML`, at most `limit` rows, with a note of the rows left out.
 * arquero escapes cell values but not column names, so names are escaped here first.
 */
export function tableHtml(table: ColumnTable, limit = 100): string {
  checkLimit(limit);
  const names = table.columnNames();
  const renames: Record<string, string> = {};
  for (const n of names) if (escapeHtml(n) !== n) renames[n] = escapeHtml(n);
  const shown = Object.keys(renames).length > 0 ? table.rename(renames) : table;
  const rows = table.numRows();
  const more = rows > limit ? `<p class="hypernote-table-more">${rows - limit} more row${rows - limit === 1 ? "" : "s"} not shown (${rows} in all)</p>` : "";
  return shown.toHTML({ limit }) + more;
}

/** A cell value as JSON: non-finite numbers become null, bigints numbers (or strings past 2^53), dates ISO strings. */
function jsonValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>, jsonValue);
  if (typeof v === "object") return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, jsonValue(x)]));
  if (typeof v === "function" || typeof v === "symbol") return String(v);
  return v;
}

function fieldType(values: readonly unknown[]): FieldType {
  let type: FieldType | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const t: FieldType =
      typeof v === "number"
        ? Number.isInteger(v) ? "integer" : "number"
        : typeof v === "bigint"
          ? "integer"
          : typeof v === "string"
            ? "string"
            : typeof v === "boolean"
              ? "boolean"
              : v instanceof Date
                ? "datetime"
                : Array.isArray(v) || ArrayBuffer.isView(v)
                  ? "array"
                  : typeof v === "object"
                    ? "object"
                    : "any";
    if (type === undefined) type = t;
    else if (type !== t) type = (type === "integer" && t === "number") || (type === "number" && t === "integer") ? "number" : "any";
  }
  return type ?? "any";
}

/** The first `limit` rows as a Table Schema data resource. */
export function dataResource(table: ColumnTable, limit = 100): DataResource {
  checkLimit(limit);
  const names = table.columnNames();
  const objects = table.objects({ limit }) as Record<string, unknown>[];
  const fields = names.map((name) => ({ name, type: fieldType(objects.map((o) => o[name])) }));
  const data = objects.map((o) => Object.fromEntries(names.map((n) => [n, jsonValue(o[n])])));
  return { schema: { fields }, data };
}

function plainCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(jsonValue(v));
  return String(v);
}

/** Fixed-width text of the first rows (default 10), with the size of the whole table. */
export function tablePlain(table: ColumnTable, rows = 10): string {
  const names = table.columnNames();
  const n = table.numRows();
  const shown = (table.objects({ limit: rows }) as Record<string, unknown>[]).map((o) => names.map((k) => plainCell(o[k])));
  const widths = names.map((name, i) => Math.max(name.length, ...shown.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const out = [`Table (${n} row${n === 1 ? "" : "s"} × ${names.length} column${names.length === 1 ? "" : "s"})`];
  if (names.length > 0) out.push(line(names), ...shown.map(line));
  if (n > shown.length) out.push(`… ${n - shown.length} more row${n - shown.length === 1 ? "" : "s"}`);
  return out.join("\n");
}

/** The mime bundle of an arquero table. */
export function tableBundle(table: ColumnTable, options: TableBundleOptions = {}): MimeBundle {
  const limit = checkLimit(options.limit ?? 100);
  return {
    "text/html": tableHtml(table, limit),
    [DATARESOURCE_MIME]: dataResource(table, limit),
    "text/plain": tablePlain(table, Math.min(limit, 10)),
  };
}
