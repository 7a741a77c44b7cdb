/// <reference types="node" />
/**
 * What a notebook cell calls to show things: display(x) and display.html / markdown / svg / json /
 * png / plotly, each returning a handle whose update() replaces that output in place
 * (update_display_data with the same display_id); clearOutput(); await input("prompt"); page();
 * the comm registry; and cell hooks. Spec: jupyter_client docs/messaging.rst, "Display Data",
 * "Update Display Data", "Clear output", "Messages on the stdin ROUTER/DEALER channel".
 *
 * The `/// <reference types="node" />` above is load-bearing: the prelude imports this file's
 * .d.ts, which pulls @types/node into every cell even when the notebook directory has none.
 */
import { randomUUID } from "node:crypto";
import { toBundle } from "../mime.js";
import { requireRuntime, type CellHook, type MimeBundle } from "../runtime.js";
import { plotlyBundle, type PlotlyFigure } from "./plotly.js";
import type { Comms } from "../comm.js";

export type { MimeBundle, CellHook } from "../runtime.js";
export type { PlotlyFigure } from "./plotly.js";
export { Comm, Comms, type CommData, type CommTarget } from "../comm.js";

/** An output that can be replaced in place. */
export interface DisplayHandle<T> {
  readonly displayId: string;
  /** Replaces the output this handle made (update_display_data). */
  update(value: T): void;
}

function show<T>(render: (v: T) => MimeBundle | Promise<MimeBundle>, value: T, what: string): DisplayHandle<T> {
  const rt = requireRuntime(what);
  const displayId = randomUUID();
  const send = (v: T, update: boolean): void => {
    const b = render(v);
    if (b instanceof Promise) {
      b.then(
        (bundle) => rt.display(bundle, { displayId, update }),
        (e: unknown) => rt.display({ "text/plain": `${what}: ${String(e)}` }, { displayId, update }),
      );
    } else {
      rt.display(b, { displayId, update });
    }
  };
  send(value, false);
  return { displayId, update: (v: T) => send(v, true) };
}

function text(mime: string, what: string): (s: string) => DisplayHandle<string> {
  return (s) => {
    if (typeof s !== "string") throw new TypeError(`${what} takes a string, got ${typeof s}`);
    return show((v: string) => ({ [mime]: v, "text/plain": mime === "text/markdown" ? v : `<${mime}>` }), s, what);
  };
}

function base64(b: Uint8Array | string): string {
  return typeof b === "string" ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

export interface Display {
  /** Shows any value through its mime bundle (display protocol, arquero table, or text). */
  <T>(value: T): DisplayHandle<T>;
  html(html: string): DisplayHandle<string>;
  markdown(markdown: string): DisplayHandle<string>;
  svg(svg: string): DisplayHandle<string>;
  /** application/json: sent as a JSON object, never as a string. */
  json(value: unknown): DisplayHandle<unknown>;
  /** image/png from bytes, or from a base64 string without a data: prefix. */
  png(png: Uint8Array | string): DisplayHandle<Uint8Array | string>;
  plotly(figure: PlotlyFigure): DisplayHandle<PlotlyFigure>;
  /** A bundle given mime type by mime type. */
  bundle(bundle: MimeBundle): DisplayHandle<MimeBundle>;
}

export const display: Display = Object.assign(<T>(value: T): DisplayHandle<T> => show((v: T) => toBundle(v), value, "display()"), {
  html: text("text/html", "display.html()"),
  markdown: text("text/markdown", "display.markdown()"),
  svg: text("image/svg+xml", "display.svg()"),
  json: (value: unknown) => show((v: unknown) => ({ "application/json": JSON.parse(JSON.stringify(v ?? null)) as unknown, "text/plain": JSON.stringify(v) }), value, "display.json()"),
  png: (png: Uint8Array | string) => show((v: Uint8Array | string) => ({ "image/png": base64(v), "text/plain": "<image/png>" }), png, "display.png()"),
  plotly: (figure: PlotlyFigure) => show(plotlyBundle, figure, "display.plotly()"),
  bundle: (bundle: MimeBundle) => show((b: MimeBundle) => b, bundle, "display.bundle()"),
});

/** Clears this cell's output; with wait, only when the next output arrives (no flicker). */
export function clearOutput(wait = false): void {
  requireRuntime("clearOutput()").clearOutput(wait);
}

/** Reads one line from the user through the front end (input_request); needs allow_stdin. */
export function input(prompt = "", options: { password?: boolean } = {}): Promise<string> {
  return requireRuntime("input()").input(String(prompt), options.password === true);
}

/** Shows text in the front end's pager (a "page" payload on the execute_reply). */
export function page(value: unknown): void {
  const rt = requireRuntime("page()");
  const b = typeof value === "string" ? { "text/plain": value } : toBundle(value);
  if (b instanceof Promise) throw new TypeError("page() cannot show a value whose display method is asynchronous");
  rt.page(b);
}

/** The comm registry (comm_open / comm_msg / comm_close in both directions). */
export function comms(): Comms {
  return requireRuntime("comms()").comms;
}

/** Runs `hook.before` / `hook.after` around every later cell; returns a function that removes it. */
export function onCell(hook: CellHook): () => void {
  const rt = requireRuntime("onCell()");
  rt.hooks.add(hook);
  return () => rt.hooks.delete(hook);
}
