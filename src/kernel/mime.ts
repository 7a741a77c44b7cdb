/**
 * What a value looks like in a notebook: the mime bundle of execute_result and display_data.
 * Order of preference: the value's own display protocol (`Symbol.for("Jupyter.display")`, the
 * convention Deno's kernel uses), then an arquero table (src/display's table bundle: HTML plus
 * application/vnd.dataresource+json), then util.inspect as text/plain.
 * Text is never coloured: front ends show ANSI codes literally in text/plain.
 */
import { inspect } from "node:util";
import { DISPLAY, bundleOf } from "../display/index.js";
import { withPlotlyJs } from "./display/plotly.js";
import type { MimeBundle } from "./runtime.js";

export { DISPLAY };

export function inspectText(value: unknown): string {
  return inspect(value, { colors: false, depth: 4, maxArrayLength: 100, breakLength: 100 });
}

/**
 * The bundle for a value. Synchronous unless the value's display method returns a promise, so
 * that a display() stays in order with the console output around it.
 */
export function toBundle(value: unknown): MimeBundle | Promise<MimeBundle> {
  const own = bundleOf(value);
  if (own === undefined) return { "text/plain": inspectText(value) };
  return own instanceof Promise ? own.then((b) => withPlotlyJs(checked(b, value))) : withPlotlyJs(checked(own, value));
}

function checked(bundle: unknown, value: unknown): MimeBundle {
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle)) {
    throw new TypeError(`[Symbol.for("Jupyter.display")]() must return a mime bundle object, got ${inspectText(bundle)}`);
  }
  return "text/plain" in bundle ? (bundle as MimeBundle) : { ...(bundle as MimeBundle), "text/plain": inspectText(value) };
}
