/**
 * The display layer's only contact with the host: reading plotly.js from the plotly.js-dist-min
 * package and writing a report to disk. Everything else in src/display is host-free.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";

/** Where npm put plotly.js-dist-min's minified bundle. */
export function plotlyJsPath(): string {
  return createRequire(import.meta.url).resolve("plotly.js-dist-min/plotly.min.js");
}

let cached: string | undefined;

/** The plotly.js bundle's source text (read once per process). */
export function readPlotlyJs(): string {
  cached ??= readFileSync(plotlyJsPath(), "utf8");
  return cached;
}

/** Write a text file as UTF-8, creating its directory; returns the absolute path. */
export function writeTextFile(path: string, text: string): string {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text, "utf8");
  return abs;
}
