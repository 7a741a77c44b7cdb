/**
 * Metrics: latency tables and summaries (arquero), the TCB catalogue with `tcb()`, and figure
 * builders that return plain plotly specs carrying their provenance.
 */
export { latencyTable, latencySummary, percentile, isUncertain, SUMMARY_PERCENTILES, type TraceFilter, type CostsLike } from "./latency.js";
export { TCB_CATALOGUE, TCB_CATEGORIES, TcbError, tcb, type TcbCategory, type TcbComponent, type TcbResult } from "./tcb-catalogue.js";
export {
  histogram,
  cdf,
  groupedBars,
  stackedBars,
  timeline,
  tcbBarData,
  provenanceOf,
  combinedProvenance,
  locProvenance,
  provenanceNote,
  uncertaintyMarker,
  type PlotlySpec,
  type PlotlyTrace,
  type Provenance,
  type HostProvenance,
  type CostProvenance,
  type LocProvenance,
  type UncertainEntry,
  type MachineLike,
  type FigureOptions,
  type DistributionOptions,
  type BarOptions,
  type BarData,
  type Series,
  type TimelineOptions,
} from "./figures.js";
export { lineChart, withReferenceLine, type LineOptions, type XySeries } from "./line-figure.js";
export {
  MachineHistory,
  CapdlDiff,
  capdlDiff,
  machineCapdl,
  xenCapdl,
  machineHistory,
  rewind,
  lastDiff,
  noteBooted,
  type DiffLine,
  type HistoryOptions,
  type RewindResult,
} from "./history.js";
