/**
 * The display protocol: an object shows itself in a notebook by implementing a method under
 * `Symbol.for("Jupyter.display")` that returns a mime bundle — the convention of Deno's Jupyter
 * kernel (reference/peers.md §4.2), so hypernote objects render under `deno jupyter` too.
 * A bundle always holds `text/plain`; JSON mime types hold JSON objects, never strings.
 */
import type { ColumnTable } from "arquero";
import { tableBundle } from "./table.js";

export const DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** Mime type → content: strings for text types, JSON objects for `+json` types. */
export type MimeBundle = Record<string, unknown>;

/** Anything with a display method. */
export interface Displayable {
  [DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as Partial<Displayable>)[DISPLAY] === "function";
}

/** arquero table, recognised by shape (a second copy of arquero has its own ColumnTable class). */
export function isArqueroTable(value: unknown): value is ColumnTable {
  const t = value as Partial<ColumnTable> | null;
  return (
    typeof value === "object" &&
    value !== null &&
    typeof t!.toHTML === "function" &&
    typeof t!.numRows === "function" &&
    typeof t!.columnNames === "function" &&
    typeof t!.objects === "function"
  );
}

/**
 * The bundle a value offers: its own display method's (which may be a promise), an arquero table's
 * (`tableBundle`), or undefined for anything else.
 */
export function bundleOf(value: unknown): MimeBundle | Promise<MimeBundle> | undefined {
  if (isDisplayable(value)) return value[DISPLAY]();
  if (isArqueroTable(value)) return tableBundle(value);
  return undefined;
}
