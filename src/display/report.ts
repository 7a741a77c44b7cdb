/**
 * A standalone HTML report: headings, paragraphs, figures and tables in one HTML5 file that works
 * offline. plotly.js is embedded once, in <head>, when the report has at least one figure; each
 * figure appears once, in a div with an id unique in the document (figure-1, figure-2, …). Text is
 * escaped; `html()` is the one way to add markup. Nothing time- or host-dependent goes in, so the
 * same calls give the same bytes.
 */
import type { ColumnTable } from "arquero";
import type { PlotlySpec } from "../metrics/index.js";
import { Figure, figure as toFigure } from "./figure.js";
import { plotlyLoaderHtml } from "./plotly-loader.js";
import { writeTextFile } from "./report-file.js";
import { tableHtml } from "./table.js";

type Block =
  | { kind: "heading"; text: string; level: number }
  | { kind: "paragraph"; text: string }
  | { kind: "figure"; figure: Figure; caption: string | undefined }
  | { kind: "table"; html: string; caption: string | undefined }
  | { kind: "html"; html: string };

export interface HtmlReportOptions {
  /** Source of the HTML that loads plotly.js (default: the installed plotly.js-dist-min, inline). */
  plotlyLoader?: () => string;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const STYLE = [
  "body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }",
  "table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }",
  "th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; }",
  "th { background: #f3f3f3; }",
  "figure { margin: 1.5em 0; }",
  "figcaption, .hypernote-table-more, footer { color: #555; font-size: 0.9em; }",
].join("\n");

export class HtmlReport {
  readonly title: string;
  private readonly blocks: Block[] = [];
  private readonly plotlyLoader: () => string;

  constructor(title: string, options: HtmlReportOptions = {}) {
    this.title = title;
    this.plotlyLoader = options.plotlyLoader ?? plotlyLoaderHtml;
  }

  /** A section heading, level 1–6 (default 2; the report title is the one level-1 heading). */
  heading(text: string, level = 2): this {
    if (!Number.isInteger(level) || level < 1 || level > 6) throw new RangeError(`heading level must be 1 to 6, got ${level}`);
    this.blocks.push({ kind: "heading", text, level });
    return this;
  }

  /** A paragraph of plain text (escaped). */
  paragraph(text: string): this {
    this.blocks.push({ kind: "paragraph", text });
    return this;
  }

  /** A figure (a Figure or a plotly spec from the metrics builders), with an optional caption. */
  figure(fig: Figure | PlotlySpec, caption?: string): this {
    this.blocks.push({ kind: "figure", figure: toFigure(fig), caption });
    return this;
  }

  /** An arquero table as HTML, at most `limit` rows (default 100). */
  table(table: ColumnTable, options: { limit?: number; caption?: string } = {}): this {
    this.blocks.push({ kind: "table", html: tableHtml(table, options.limit ?? 100), caption: options.caption });
    return this;
  }

  /** Raw HTML, inserted as given. */
  html(raw: string): this {
    this.blocks.push({ kind: "html", html: raw });
    return this;
  }

  /** Number of figures so far. */
  get figureCount(): number {
    return this.blocks.filter((b) => b.kind === "figure").length;
  }

  toHTML(): string {
    const body: string[] = [`<h1>${escapeHtml(this.title)}</h1>`];
    let figures = 0;
    for (const b of this.blocks) {
      switch (b.kind) {
        case "heading":
          body.push(`<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`);
          break;
        case "paragraph":
          body.push(`<p>${escapeHtml(b.text)}</p>`);
          break;
        case "figure": {
          figures += 1;
          const caption = b.caption === undefined ? "" : `\n<figcaption>${escapeHtml(b.caption)}</figcaption>`;
          body.push(`<figure>\n${b.figure.html(`figure-${figures}`)}${caption}\n</figure>`);
          break;
        }
        case "table": {
          const caption = b.caption === undefined ? "" : `<p class="caption">${escapeHtml(b.caption)}</p>\n`;
          body.push(`<div class="hypernote-table">\n${caption}${b.html}\n</div>`);
          break;
        }
        case "html":
          body.push(b.html);
          break;
      }
    }
    body.push(
      "<footer><p>Made with hypernote. Latency figures come from a deterministic simulation charged from a sourced cost model, " +
        "and LOC figures from a sourced catalogue; none is a hardware measurement. Each figure names its cost profile and marks " +
        "results that rest on approximate or assumed entries.</p></footer>",
    );
    const plotly = figures > 0 ? this.plotlyLoader() : "";
    return (
      "<!DOCTYPE html>\n" +
      '<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
      '<meta name="generator" content="hypernote">\n' +
      `<title>${escapeHtml(this.title)}</title>\n` +
      `<style>\n${STYLE}\n</style>\n` +
      plotly +
      "</head>\n<body>\n" +
      body.join("\n") +
      "\n</body>\n</html>\n"
    );
  }

  /** Write the report to a file (directories created); returns the absolute path. */
  write(path: string): string {
    return writeTextFile(path, this.toHTML());
  }
}
