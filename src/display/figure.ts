/**
 * Figures: a plotly spec that shows itself. Its mime bundle carries
 * `application/vnd.plotly.v1+json` (the object `{data, layout, config}`, rendered by JupyterLab's
 * plotly extension and VS Code), a `text/html` fallback (a div and a script calling
 * `Plotly.newPlot`, for classic Notebook 6 and nbconvert HTML, which ignore the plotly mime type)
 * and `text/plain` (reference/peers.md §4.2, jupyter.md §5).
 *
 * The fallback does not carry plotly.js (4.8 MB): the kernel sends `plotlyLoaderHtml()` once per
 * session and a report puts it in <head>; until `window.Plotly` exists the script waits for it.
 */
import { hashValue } from "../machine/index.js";
import type { PlotlySpec } from "../metrics/index.js";
import { DISPLAY, type Displayable, type MimeBundle } from "./protocol.js";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** What `application/vnd.plotly.v1+json` holds. */
export interface PlotlyBundleValue {
  data: PlotlySpec["data"];
  layout: PlotlySpec["layout"];
  config: Record<string, unknown>;
}

/** Static figures keep plotly's mode bar but not its link to the plotly cloud. */
const DEFAULT_CONFIG: Readonly<Record<string, unknown>> = { responsive: true, displaylogo: false };

let displayed = 0;

/**
 * Id for the next figure shown in a notebook: a counter (deterministic across runs of the same
 * notebook) plus a hash of the figure, so that outputs saved from an earlier kernel session, whose
 * counter started at 1 too, do not share ids with different figures.
 */
function nextDivId(value: PlotlyBundleValue): string {
  displayed += 1;
  return `hypernote-figure-${displayed}-${hashValue(value).slice(0, 8)}`;
}

/** Start the notebook figure counter again (a new kernel session, or a test). */
export function resetFigureIds(): void {
  displayed = 0;
}

/**
 * JSON that can sit inside a <script> element and a JS expression: `<`, `>`, `&` and the two line
 * separators become \u escapes, so no "</script>" or "<!--" can end or alter the element.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function titleOf(layout: Record<string, unknown>): string {
  const t = layout["title"];
  if (typeof t === "string") return t;
  if (typeof t === "object" && t !== null && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "";
}

export class Figure implements Displayable {
  readonly spec: PlotlySpec;
  readonly config: Record<string, unknown>;

  constructor(spec: PlotlySpec, config: Record<string, unknown> = {}) {
    if (typeof spec !== "object" || spec === null || !Array.isArray(spec.data)) {
      throw new TypeError("Figure needs a plotly spec { data: [traces], layout }, as the builders in metrics return");
    }
    this.spec = { data: spec.data, layout: spec.layout ?? {} };
    this.config = { ...DEFAULT_CONFIG, ...config };
  }

  get title(): string {
    return titleOf(this.spec.layout);
  }

  /** The provenance note the builders wrote into `layout.meta.hypernote`, if any. */
  get note(): { note: string; marker?: string } | undefined {
    const meta = this.spec.layout["meta"] as { hypernote?: { note?: unknown; marker?: unknown } } | undefined;
    const h = meta?.hypernote;
    if (h === undefined || typeof h.note !== "string") return undefined;
    return typeof h.marker === "string" ? { note: h.note, marker: h.marker } : { note: h.note };
  }

  /** The JSON value of the plotly mime type: a deep copy, so later edits of the spec do not leak in. */
  toJSON(): PlotlyBundleValue {
    return JSON.parse(JSON.stringify({ data: this.spec.data, layout: this.spec.layout, config: this.config })) as PlotlyBundleValue;
  }

  /** One line: title, trace count and types, provenance. */
  summary(): string {
    const types = [...new Set(this.spec.data.map((t) => String(t["type"] ?? "scatter")))].join(", ");
    const n = this.spec.data.length;
    const title = this.title.replace(/ ⚠$/, "");
    const parts = [`Figure${title ? ` "${title}"` : ""}: ${n} trace${n === 1 ? "" : "s"}${types ? ` (${types})` : ""}`];
    const note = this.note;
    if (note) parts.push(note.note, ...(note.marker ? [note.marker] : []));
    return parts.join("; ");
  }

  /**
   * The figure as HTML: a div with a text fallback, and a script that draws into it with
   * `Plotly.newPlot` as soon as `window.Plotly` exists (polling every 50 ms for up to 60 s).
   * The script picks the first not-yet-drawn element with the id, in case an old output shares it.
   */
  html(divId: string): string {
    const value = this.toJSON();
    const height = typeof value.layout["height"] === "number" ? `${value.layout["height"]}px` : "450px";
    const id = escapeHtml(divId);
    return (
      `<div id="${id}" class="hypernote-figure" style="width:100%;height:${height};">` +
      `<div class="hypernote-figure-fallback" style="font:12px sans-serif;color:#555;">${escapeHtml(this.summary())} ` +
      `(the interactive figure needs plotly.js and a trusted notebook)</div></div>\n` +
      `<script type="text/javascript">(function () {\n` +
      `  var id = ${scriptJson(divId)}, spec = ${scriptJson(value)}, tries = 0;\n` +
      `  function target() {\n` +
      `    var all = document.querySelectorAll('[id="' + id + '"]');\n` +
      `    for (var i = 0; i < all.length; i++) if (!all[i].getAttribute("data-drawn")) return all[i];\n` +
      `    return null;\n` +
      `  }\n` +
      `  function draw() {\n` +
      `    var el = target();\n` +
      `    if (!el) return;\n` +
      `    if (window.Plotly && window.Plotly.newPlot) {\n` +
      `      el.setAttribute("data-drawn", "1");\n` +
      `      el.textContent = "";\n` +
      `      window.Plotly.newPlot(el, spec.data, spec.layout, spec.config);\n` +
      `    } else if (++tries < 1200) {\n` +
      `      setTimeout(draw, 50);\n` +
      `    }\n` +
      `  }\n` +
      `  draw();\n` +
      `})();</script>`
    );
  }

  /** The mime bundle: plotly JSON, HTML fallback, one-line text. */
  [DISPLAY](): MimeBundle {
    const value = this.toJSON();
    return { [PLOTLY_MIME]: value, "text/html": this.html(nextDivId(value)), "text/plain": this.summary() };
  }
}

/** A Figure from a spec, or the Figure itself. */
export function figure(spec: PlotlySpec | Figure, config?: Record<string, unknown>): Figure {
  return spec instanceof Figure ? spec : new Figure(spec, config);
}
