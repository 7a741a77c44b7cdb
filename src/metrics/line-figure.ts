/**
 * Line figures: y against x for one or more series, on linear or logarithmic axes, and reference
 * lines across a figure (a target, break-even at 1×). Built for benchmark scaling curves (ops/s at
 * 10…10 000 objects), but any provenance fits.
 */
import { baseLayout, escapeText, type FigureOptions, type PlotlySpec } from "./figures.js";

/** One named curve: points (x[i], y[i]). */
export interface XySeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
}

export interface LineOptions extends FigureOptions {
  xTitle: string;
  yTitle: string;
  logX?: boolean;
  logY?: boolean;
}

/** One lines+markers trace per series, in the order given. */
export function lineChart(series: readonly XySeries[], options: LineOptions): PlotlySpec {
  for (const s of series) {
    if (s.x.length !== s.y.length) throw new RangeError(`series "${s.name}" has ${s.x.length} x values and ${s.y.length} y values`);
  }
  const layout = baseLayout(options, options.xTitle, options.yTitle);
  if (options.logX) (layout["xaxis"] as Record<string, unknown>)["type"] = "log";
  if (options.logY) (layout["yaxis"] as Record<string, unknown>)["type"] = "log";
  return { data: series.map((s) => ({ type: "scatter", mode: "lines+markers", name: s.name, x: [...s.x], y: [...s.y] })), layout };
}

/**
 * A copy of `spec` with a dashed horizontal line at `y` across the whole plot, labelled at its right
 * end. On a logarithmic axis plotly.js 4 takes a shape's position as a data value but an
 * annotation's as log10 of it (checked in Chromium: a shape at log10(1) = 0 fell to the bottom of
 * the axis), so the label is placed by log10 there.
 */
export function withReferenceLine(spec: PlotlySpec, y: number, label: string): PlotlySpec {
  // Specs are plain JSON (figures.ts), so a JSON round trip is a deep copy.
  const layout = JSON.parse(JSON.stringify(spec.layout)) as Record<string, unknown>;
  const log = (layout["yaxis"] as Record<string, unknown> | undefined)?.["type"] === "log";
  const labelAt = log ? Math.log10(y) : y;
  const shapes = (layout["shapes"] as unknown[] | undefined) ?? [];
  const annotations = (layout["annotations"] as unknown[] | undefined) ?? [];
  layout["shapes"] = [...shapes, { type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: y, y1: y, line: { color: "#c0392b", width: 2, dash: "dash" } }];
  layout["annotations"] = [
    ...annotations,
    { text: escapeText(label), xref: "paper", x: 1, xanchor: "right", yref: "y", y: labelAt, yanchor: "bottom", showarrow: false, font: { size: 11, color: "#c0392b" } },
  ];
  return { data: JSON.parse(JSON.stringify(spec.data)) as PlotlySpec["data"], layout };
}
