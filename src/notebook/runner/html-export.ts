/**
 * An executed notebook as one standalone HTML page, without Python: inputs, then each output in the
 * richest form a browser shows (HTML, SVG, PNG, Markdown as text, plain text), streams and errors.
 * plotly.js is on the page exactly once: the kernel put it into the first figure's output; if no
 * output carries it but a figure needs it, it goes into <head>.
 */
import { PLOTLY_SCRIPT_ATTRIBUTE, plotlyLoaderHtml } from "../../display/index.js";
import { text, type Notebook, type Output } from "./nbformat.js";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ESC[c]!);
// ANSI colour codes never reach text/plain from our kernel, but tracebacks of other tools may have them.
// eslint-disable-next-line no-control-regex -- ESC is exactly what the pattern must match
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, "");

function dataHtml(data: Record<string, unknown>): string {
  if (typeof data["text/html"] === "string" || Array.isArray(data["text/html"])) return text(data["text/html"] as string | string[]);
  if (data["image/svg+xml"] !== undefined) return text(data["image/svg+xml"] as string | string[]);
  if (typeof data["image/png"] === "string") return `<img alt="" src="data:image/png;base64,${data["image/png"]}">`;
  if (data["text/markdown"] !== undefined) return `<pre class="markdown">${escapeHtml(text(data["text/markdown"] as string))}</pre>`;
  if (data["text/plain"] !== undefined) return `<pre>${escapeHtml(text(data["text/plain"] as string))}</pre>`;
  return "";
}

function outputHtml(o: Output): string {
  switch (o.output_type) {
    case "stream":
      return `<pre class="stream ${o.name}">${escapeHtml(text(o.text))}</pre>`;
    case "error":
      return `<pre class="error">${escapeHtml(stripAnsi(o.traceback.length > 0 ? o.traceback.join("\n") : `${o.ename}: ${o.evalue}`))}</pre>`;
    case "display_data":
    case "execute_result":
      return `<div class="output">${dataHtml(o.data)}</div>`;
  }
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
.cell{margin:1em 0}.input{background:#f6f8fa;border-left:3px solid #8ab;padding:.5em;overflow:auto}
pre{white-space:pre-wrap;margin:.3em 0}.stderr,.error{color:#a00}.md{white-space:pre-wrap}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .5em}`;

export function notebookToHtml(nb: Notebook, title: string): string {
  const body: string[] = [];
  let needsPlotly = false;
  let hasPlotly = false;
  for (const cell of nb.cells) {
    if (cell.cell_type === "markdown") {
      body.push(`<div class="cell md">${escapeHtml(text(cell.source))}</div>`);
      continue;
    }
    if (cell.cell_type !== "code") continue;
    const outs = cell.outputs.map(outputHtml).join("\n");
    if (outs.includes(PLOTLY_SCRIPT_ATTRIBUTE)) hasPlotly = true;
    if (outs.includes("Plotly.newPlot")) needsPlotly = true;
    const count = cell.execution_count === null ? " " : String(cell.execution_count);
    body.push(`<div class="cell code"><pre class="input">[${count}] ${escapeHtml(text(cell.source))}</pre>\n${outs}</div>`);
  }
  const head = needsPlotly && !hasPlotly ? plotlyLoaderHtml() : "";
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n${head}</head>\n<body>\n<h1>${escapeHtml(title)}</h1>\n${body.join("\n")}\n</body>\n</html>\n`;
}
