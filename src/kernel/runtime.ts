/**
 * The kernel runtime as cells and the layers above see it: one object on globalThis under
 * `Symbol.for("hypernote.kernel")`. It lives on globalThis rather than in a module because a
 * cell reaches our code through tslab's CommonJS `require` while the kernel loaded it as ESM;
 * a global symbol is the one thing both module graphs are sure to share.
 */
import type { Comms } from "./comm.js";

/** A mime bundle: mime type → payload (a string, or a JSON object for JSON mime types). */
export type MimeBundle = Record<string, unknown>;

export interface DisplayOptions {
  /** Makes the output updatable: later `update` calls with the same id replace it in place. */
  displayId?: string;
  /** Send update_display_data (replace the output with this id) instead of display_data. */
  update?: boolean;
  metadata?: Record<string, unknown>;
}

/** Called around every execute_request; the layers above use it e.g. to stamp provenance. */
export interface CellHook {
  before?(cell: { code: string; executionCount: number }): void | Promise<void>;
  after?(cell: { code: string; executionCount: number; status: "ok" | "error" }): void | Promise<void>;
}

/** A pager payload on the execute_reply, as `?` gives in IPython. */
export interface PagePayload {
  source: "page";
  data: MimeBundle;
  start: number;
}

export interface KernelRuntime {
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  clearOutput(wait: boolean): void;
  /** Asks the front end for a line over the stdin channel (input_request). */
  input(prompt: string, password: boolean): Promise<string>;
  page(data: MimeBundle): void;
  readonly comms: Comms;
  readonly hooks: Set<CellHook>;
}

const KEY = Symbol.for("hypernote.kernel");

export function installRuntime(rt: KernelRuntime): void {
  (globalThis as Record<symbol, unknown>)[KEY] = rt;
}

/** The running kernel, or undefined when this code does not run inside a hypernote kernel. */
export function currentRuntime(): KernelRuntime | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as KernelRuntime | undefined;
}

export function requireRuntime(what: string): KernelRuntime {
  const rt = currentRuntime();
  if (rt === undefined) throw new Error(`${what} needs the hypernote Jupyter kernel, and this code is not running inside one`);
  return rt;
}
