import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Script } from "node:vm";
import * as aq from "arquero";
import { Machine } from "../../src/machine/index.js";
import { cdf, histogram, provenanceOf } from "../../src/metrics/index.js";
import { Figure, HtmlReport, PLOTLY_SCRIPT_ATTRIBUTE, inlineScriptText, plotlyLoaderHtml, plotlyScriptHtml } from "../../src/display/index.js";
import { readPlotlyJs } from "../../src/display/report-file.js";

const m = new Machine();
m.charge(0, "syscall", "nova", "call", "ec");
const provenance = provenanceOf(m);
const STUB = () => plotlyScriptHtml("window.Plotly = {newPlot: function () {}};");

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function manyFigures(n: number, loader = STUB): HtmlReport {
  const r = new HtmlReport("IPC <latency> & TCB", { plotlyLoader: loader });
  r.heading("Round trips").paragraph("Five runs, one figure each: <not markup>.");
  for (let i = 0; i < n; i++) {
    const spec = (i % 2 === 0 ? histogram : cdf)({ name: `run ${i}`, values: [300 + i, 310 + i] }, { provenance, title: `Run ${i}` });
    if (i % 3 === 0) r.figure(new Figure(spec), `caption ${i}`);
    else r.figure(spec);
  }
  r.table(aq.table({ op: ["call"], cycles: [300] }), { caption: "summary" });
  return r;
}

describe("plotly.js loader", () => {
  it("inlines the installed plotly.js-dist-min once, still valid JavaScript, with nothing that ends the script element", () => {
    const html = plotlyLoaderHtml();
    const js = readPlotlyJs();
    expect(js).toContain("plotly.js v4.1.2");
    expect(count(html, PLOTLY_SCRIPT_ATTRIBUTE)).toBe(1);
    expect(count(html, "window.Plotly = Plotly")).toBe(1);
    expect(html).toContain("window.PlotlyConfig = {MathJaxConfig: 'local'}");
    const body = html.slice(html.indexOf(`${PLOTLY_SCRIPT_ATTRIBUTE}>`) + PLOTLY_SCRIPT_ATTRIBUTE.length + 1, html.lastIndexOf("</script>"));
    expect(body.length).toBeGreaterThan(4_000_000);
    expect(/<\/script/i.test(body)).toBe(false);
    expect(body).not.toContain("<!--");
    expect(() => new Script(body)).not.toThrow();
  });

  it("escapes only what could end the element", () => {
    expect(inlineScriptText('var s = "</script><!--";')).toBe('var s = "<\\/script><\\!--";');
    const escaped = inlineScriptText(`globalThis.s = ${JSON.stringify("</SCRIPT><!--")};`);
    expect(escaped).not.toMatch(/<\/script|<!--/i);
    expect(new Script(escaped).runInNewContext({})).toBe("</SCRIPT><!--");
  });
});

describe("HtmlReport", () => {
  it("embeds plotly.js exactly once, in <head>, and each figure's div exactly once, even with many figures", () => {
    const html = manyFigures(12).toHTML();
    expect(count(html, PLOTLY_SCRIPT_ATTRIBUTE)).toBe(1);
    expect(html.indexOf(PLOTLY_SCRIPT_ATTRIBUTE)).toBeLessThan(html.indexOf("</head>"));
    for (let k = 1; k <= 12; k++) expect(count(html, `id="figure-${k}"`), `figure-${k}`).toBe(1);
    expect(html).not.toContain('id="figure-13"');
    expect(count(html, "<figure>")).toBe(12);
    expect(count(html, "Simulated on hypernote — cost profile skylake")).toBeGreaterThanOrEqual(12);
  });

  it("does so with the real plotly.js too", () => {
    const html = manyFigures(5, plotlyLoaderHtml).toHTML();
    expect(count(html, "plotly.js v4.1.2")).toBe(1);
    expect(count(html, "window.Plotly = Plotly")).toBe(1);
    for (let k = 1; k <= 5; k++) expect(count(html, `id="figure-${k}"`)).toBe(1);
  });

  it("is an HTML5 document with the title and text escaped", () => {
    const html = manyFigures(2).toHTML();
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")).toBe(true);
    expect(html.trimEnd().endsWith("</body>\n</html>")).toBe(true);
    expect(count(html, "<head>")).toBe(1);
    expect(count(html, "<body>")).toBe(1);
    expect(html).toContain("<title>IPC &lt;latency&gt; &amp; TCB</title>");
    expect(html).toContain("<h1>IPC &lt;latency&gt; &amp; TCB</h1>");
    expect(html).toContain("<p>Five runs, one figure each: &lt;not markup&gt;.</p>");
    expect(html).toContain("<figcaption>caption 0</figcaption>");
    expect(html).toContain("<p class=\"caption\">summary</p>");
    expect(html).toContain(">call</td>");
    expect(count(html, "<script")).toBe(count(html, "</script>"));
    expect(count(html, "<div")).toBe(count(html, "</div>"));
  });

  it("leaves plotly.js out of a report without figures", () => {
    const html = new HtmlReport("tables only", { plotlyLoader: STUB }).table(aq.table({ a: [1] })).html("<hr>").toHTML();
    expect(html).not.toContain(PLOTLY_SCRIPT_ATTRIBUTE);
    expect(html).toContain("<hr>");
  });

  it("gives the same bytes for the same calls", () => {
    expect(manyFigures(3).toHTML()).toBe(manyFigures(3).toHTML());
  });

  it("writes the document to a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "hypernote-report-"));
    try {
      const report = manyFigures(2);
      const path = report.write(join(dir, "sub", "report.html"));
      expect(readFileSync(path, "utf8")).toBe(report.toHTML());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a heading level outside 1–6", () => {
    expect(() => new HtmlReport("x").heading("h", 7)).toThrow(RangeError);
  });
});
