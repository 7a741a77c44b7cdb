/**
 * Figure builders: plain plotly figure specs `{ data, layout }` (JSON-able; src/display wraps them
 * for a notebook or a report). Every figure carries its provenance in the layout — a note that it
 * comes from a simulated machine, the cost profile and CPU it was charged at, and a ⚠ marker when a
 * result rested on an approximate or assumed cost entry (STYLE §8) or an approximate LOC figure —
 * so that no reader takes it for a hardware measurement. Benchmark figures are the other way round:
 * host measurements of the emulator itself, labelled with the host they ran on (`HostProvenance`).
 * `layout.meta.hypernote` holds the same facts for programs.
 */
import type { ColumnTable } from "arquero";
import type { Confidence, Trace, TraceRecord } from "../machine/index.js";
import { isUncertain, type CostsLike } from "./latency.js";
import { TCB_CATEGORIES, type TcbResult } from "./tcb-catalogue.js";

/** One plotly trace (plotly's own schema; kept open here so specs stay plain JSON). */
export type PlotlyTrace = Record<string, unknown>;

/** A plotly figure: what `Plotly.newPlot(el, data, layout)` takes. */
export interface PlotlySpec {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
}

/** A cost entry a result rested on that a plot has to mark. */
export interface UncertainEntry {
  name: string;
  confidence: Confidence;
  source: string;
}

/** Where a latency figure's numbers come from. */
export interface CostProvenance {
  kind: "cost";
  /** Cost profile id, e.g. "skylake". */
  profile: string;
  cpuModel: string;
  /** The profile's clock: cycles → time. */
  hz: number;
  /** Approximate or assumed entries the plotted records rested on (empty: none). */
  uncertain: readonly UncertainEntry[];
}

/** Where a TCB figure's numbers come from: the LOC catalogue. */
export interface LocProvenance {
  kind: "loc";
  /** Ids of the catalogue components whose figures are approximate (empty: none). */
  approximate: readonly string[];
}

/**
 * Where a benchmark figure's numbers come from: wall-clock time of the emulator on a host
 * (bench/results.json's `config`), which depends on that host and on whatever else ran on it.
 */
export interface HostProvenance {
  kind: "host";
  cpu: string;
  cores: number;
  /** Node.js version, e.g. "v20.19.5". */
  node: string;
  /** When the figures were taken (ISO date), if recorded. */
  date?: string;
  /** A known reason to distrust the figures (e.g. "the host was shared with other jobs"), marked ⚠. */
  caveat?: string;
}

export type Provenance = CostProvenance | LocProvenance | HostProvenance;

/** What `provenanceOf` needs of a machine (a `Machine` fits). */
export interface MachineLike {
  costs: CostsLike;
  trace: Trace | Iterable<TraceRecord>;
}

/**
 * The provenance of a figure drawn from some of a machine's records: its cost profile and every
 * approximate or assumed entry those records rested on (in primitive order). `records` may be trace
 * records or a latency table (its `primitives` column); by default the whole trace.
 */
export function provenanceOf(machine: MachineLike, records?: Iterable<TraceRecord> | ColumnTable): CostProvenance {
  const { costs } = machine;
  const names = new Set<string>();
  const source = records ?? machine.trace;
  if (isTable(source)) {
    if (source.columnIndex("primitives") < 0) throw new RangeError("provenanceOf: the table has no \"primitives\" column (make it with latencyTable)");
    for (const joined of Array.from(source.array("primitives") as ArrayLike<string>)) for (const n of joined.split("+")) if (n !== "") names.add(n);
  } else {
    const masks = new Set<string>();
    for (const r of source) {
      const key = `${r.primsLo}:${r.primsHi}`;
      if (masks.has(key)) continue;
      masks.add(key);
      for (const n of costs.namesInMask(r.primsLo, r.primsHi)) names.add(n);
    }
  }
  const uncertain: UncertainEntry[] = [];
  for (const name of names) {
    const e = costs.entry(name);
    if (isUncertain(e.confidence)) uncertain.push({ name, confidence: e.confidence, source: e.source });
  }
  return { kind: "cost", profile: costs.profile.id, cpuModel: costs.profile.cpuModel, hz: costs.profile.hz, uncertain };
}

/**
 * The provenance of a figure that puts several machines side by side (say, one per cost profile):
 * every profile is named, and an uncertain entry is named with the profile it belongs to. The clock
 * is the first machine's; figures that convert cycles to time should not mix profiles.
 */
export function combinedProvenance(parts: readonly CostProvenance[]): CostProvenance {
  if (parts.length === 0) throw new RangeError("combinedProvenance needs at least one provenance");
  if (parts.length === 1) return parts[0]!;
  const uncertain = parts.flatMap((p) => p.uncertain.map((u) => ({ ...u, name: `${p.profile}:${u.name}` })));
  return {
    kind: "cost",
    profile: parts.map((p) => p.profile).join(", "),
    cpuModel: [...new Set(parts.map((p) => p.cpuModel))].join("; "),
    hz: parts[0]!.hz,
    uncertain,
  };
}

/** The provenance of a TCB figure built from `tcb()` results. */
export function locProvenance(...results: TcbResult[]): LocProvenance {
  const ids = new Set<string>();
  for (const r of results) for (const c of r.rows) if (c.approximate) ids.add(c.id);
  return { kind: "loc", approximate: [...ids] };
}

function isTable(v: unknown): v is ColumnTable {
  return typeof v === "object" && v !== null && typeof (v as ColumnTable).columnIndex === "function" && typeof (v as ColumnTable).array === "function";
}

/** The line every figure carries. */
export function provenanceNote(p: Provenance): string {
  if (p.kind === "host") {
    return `Host measurement of the emulator (wall-clock), not a simulation — ${p.cpu}, ${p.cores} cores, Node ${p.node}${p.date === undefined ? "" : `, ${p.date}`}`;
  }
  return p.kind === "cost"
    ? `Simulated on hypernote — cost profile ${p.profile} (${p.cpuModel}); not a hardware measurement`
    : "Lines of code from the hypernote TCB catalogue (cloc counts and published figures, each with its source); not measured by this run";
}

/** The ⚠ marker, or undefined when nothing approximate or assumed contributed. */
export function uncertaintyMarker(p: Provenance): string | undefined {
  if (p.kind === "host") return p.caveat === undefined ? undefined : `⚠ ${p.caveat}`;
  if (p.kind === "cost") {
    if (p.uncertain.length === 0) return undefined;
    return `⚠ rests on approximate/assumed cost entries: ${p.uncertain.map((u) => `${u.name} (${u.confidence})`).join(", ")}`;
  }
  if (p.approximate.length === 0) return undefined;
  return `⚠ includes approximate LOC figures: ${p.approximate.join(", ")}`;
}

export interface FigureOptions {
  provenance: Provenance;
  title?: string;
  /** Height in pixels (default 450). */
  height?: number;
}

/** One named list of values. */
export interface Series {
  name: string;
  values: readonly number[];
}

/** Bars: one value per category, per series. */
export interface BarData {
  categories: readonly string[];
  series: readonly Series[];
}

/** Label of a value axis: "Latency (cycles)". */
function axisTitle(quantity: string, unit: string | undefined): string {
  return unit ? `${quantity} (${unit})` : quantity;
}

export function escapeText(s: string): string {
  // plotly renders a subset of HTML in titles and annotations: keep user text literal.
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Wrap a long line for an annotation: plotly does not wrap text itself. */
function wrap(s: string, width = 110): string {
  const out: string[] = [];
  let line = "";
  for (const word of s.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") out.push(line);
  return out.join("<br>");
}

/** The layout every builder starts from: title, provenance annotation, meta, room for the note. */
export function baseLayout(options: FigureOptions, xTitle: string, yTitle: string): Record<string, unknown> {
  const p = options.provenance;
  const note = provenanceNote(p);
  const marker = uncertaintyMarker(p);
  const lines = [escapeText(note), ...(marker ? [wrap(escapeText(marker))] : [])].join("<br>");
  const noteLines = lines.split("<br>").length;
  const title = options.title ?? "";
  return {
    title: { text: escapeText(title) + (marker ? " ⚠" : ""), yref: "container", y: 0.98, yanchor: "top" },
    xaxis: { title: { text: escapeText(xTitle) }, automargin: true },
    yaxis: { title: { text: escapeText(yTitle) }, automargin: true },
    height: options.height ?? 450 + 16 * noteLines,
    // The note sits between the title and the plot, where long rotated tick labels cannot reach it.
    margin: { t: 56 + 14 * noteLines },
    annotations: [
      {
        text: lines,
        xref: "paper",
        yref: "paper",
        x: 0,
        y: 1,
        xanchor: "left",
        yanchor: "bottom",
        yshift: 6,
        align: "left",
        showarrow: false,
        font: { size: 10, color: marker ? "#a04000" : "#555555" },
      },
    ],
    meta: {
      hypernote: {
        simulated: p.kind !== "host",
        note,
        ...(marker ? { marker } : {}),
        provenance: p,
      },
    },
  };
}

function asList(series: Series | readonly Series[]): readonly Series[] {
  return Array.isArray(series) ? (series as readonly Series[]) : [series as Series];
}

export interface DistributionOptions extends FigureOptions {
  /** Unit of the values, for the axis title (default "cycles"). */
  unit?: string;
  /** What the values are (default "Latency"). */
  quantity?: string;
}

/** Histogram of one or more series (overlaid, semi-transparent when more than one). */
export function histogram(series: Series | readonly Series[], options: DistributionOptions & { nbins?: number }): PlotlySpec {
  const list = asList(series);
  const layout = baseLayout(options, axisTitle(options.quantity ?? "Latency", options.unit ?? "cycles"), "Operations (count)");
  if (list.length > 1) layout["barmode"] = "overlay";
  return {
    data: list.map((s) => ({
      type: "histogram",
      name: s.name,
      x: [...s.values],
      ...(options.nbins !== undefined ? { nbinsx: options.nbins } : {}),
      ...(list.length > 1 ? { opacity: 0.6 } : {}),
    })),
    layout,
  };
}

/**
 * Empirical CDF of one or more series: for the sorted values x₁ ≤ … ≤ xₙ, the points (xᵢ, i/n),
 * i = 1…n, joined with horizontal-then-vertical steps, so y is the fraction of values ≤ x.
 */
export function cdf(series: Series | readonly Series[], options: DistributionOptions): PlotlySpec {
  const list = asList(series);
  const layout = baseLayout(options, axisTitle(options.quantity ?? "Latency", options.unit ?? "cycles"), "Fraction of operations ≤ x");
  (layout["yaxis"] as Record<string, unknown>)["range"] = [0, 1.02];
  return {
    data: list.map((s) => {
      const xs = [...s.values].sort((a, b) => a - b);
      const n = xs.length;
      return { type: "scatter", mode: "lines", line: { shape: "hv" }, name: s.name, x: xs, y: xs.map((_, i) => (i + 1) / n) };
    }),
    layout,
  };
}

export interface BarOptions extends FigureOptions {
  /** Value axis title (default "Latency" or, for LOC provenance, "Lines of code"). */
  quantity?: string;
  /** Unit of the values (default "cycles"; none for LOC). */
  unit?: string;
  /** Category axis title (default none). */
  categoryTitle?: string;
}

function bars(data: BarData, options: BarOptions, barmode: "group" | "stack"): PlotlySpec {
  for (const s of data.series) {
    if (s.values.length !== data.categories.length) {
      throw new RangeError(`series "${s.name}" has ${s.values.length} values for ${data.categories.length} categories`);
    }
  }
  const loc = options.provenance.kind === "loc";
  const quantity = options.quantity ?? (loc ? "Lines of code" : "Latency");
  const unit = options.unit ?? (loc ? undefined : "cycles");
  const layout = baseLayout(options, options.categoryTitle ?? "", axisTitle(quantity, unit));
  layout["barmode"] = barmode;
  return {
    data: data.series.map((s) => ({ type: "bar", name: s.name, x: [...data.categories], y: [...s.values] })),
    layout,
  };
}

/** Bars side by side: one group per category, one bar per series. */
export function groupedBars(data: BarData, options: BarOptions): PlotlySpec {
  return bars(data, options, "group");
}

/** Bars stacked: one bar per category, one segment per series (e.g. TCB by category per scenario). */
export function stackedBars(data: BarData, options: BarOptions): PlotlySpec {
  return bars(data, options, "stack");
}

/**
 * Bar data for a TCB comparison: one category per named result (e.g. a scenario), one series per
 * TCB category that any of them uses. Feed it to `stackedBars` with `locProvenance(...results)`.
 */
export function tcbBarData(results: Readonly<Record<string, TcbResult>>): BarData {
  const names = Object.keys(results);
  const series = TCB_CATEGORIES.map((category) => ({ name: category, values: names.map((n) => results[n]!.byCategory[category]) })).filter((s) =>
    s.values.some((v) => v > 0),
  );
  return { categories: names, series };
}

export interface TimelineOptions extends FigureOptions {
  provenance: CostProvenance;
  /** One lane per CPU (default) or per actor. */
  lanes?: "cpu" | "actor";
  /** One colour (trace) per layer (default) or per operation. */
  colorBy?: "layer" | "op";
}

/**
 * A timeline of trace records: one horizontal bar per operation, from its start to its end in µs
 * at the profile's clock, on a lane per CPU or per actor, coloured by layer or operation.
 */
export function timeline(records: Iterable<TraceRecord>, options: TimelineOptions): PlotlySpec {
  const lanes = options.lanes ?? "cpu";
  const colorBy = options.colorBy ?? "layer";
  const us = 1e6 / options.provenance.hz;
  const groups = new Map<string, { base: number[]; x: number[]; y: string[]; text: string[]; cycles: number[] }>();
  const laneNames = new Set<string>();
  for (const r of records) {
    const key = colorBy === "layer" ? r.layer : r.op;
    let g = groups.get(key);
    if (g === undefined) {
      g = { base: [], x: [], y: [], text: [], cycles: [] };
      groups.set(key, g);
    }
    const lane = lanes === "cpu" ? `CPU ${r.cpu}` : r.actor;
    laneNames.add(lane);
    g.base.push(r.time * us);
    g.x.push(r.cycles * us);
    g.y.push(lane);
    g.text.push(`${r.layer}/${r.op} by ${r.actor}`);
    g.cycles.push(r.cycles);
  }
  const layout = baseLayout(options, "Simulated time (µs)", lanes === "cpu" ? "CPU" : "Actor");
  layout["barmode"] = "overlay";
  const yaxis = layout["yaxis"] as Record<string, unknown>;
  yaxis["type"] = "category";
  yaxis["categoryorder"] = "array";
  yaxis["categoryarray"] = [...laneNames].sort(laneOrder);
  yaxis["autorange"] = "reversed";
  return {
    data: [...groups].map(([name, g]) => ({
      type: "bar",
      orientation: "h",
      name,
      base: g.base,
      x: g.x,
      y: g.y,
      text: g.text,
      customdata: g.cycles,
      textposition: "none",
      hovertemplate: "%{text}<br>start %{base:.3f} µs, %{x:.3f} µs (%{customdata} cycles)<extra></extra>",
    })),
    layout,
  };
}

/** "CPU 2" before "CPU 10"; other names alphabetically. */
function laneOrder(a: string, b: string): number {
  const na = /^CPU (\d+)$/.exec(a);
  const nb = /^CPU (\d+)$/.exec(b);
  if (na && nb) return Number(na[1]) - Number(nb[1]);
  return a < b ? -1 : a > b ? 1 : 0;
}
