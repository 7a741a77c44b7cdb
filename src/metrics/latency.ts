/**
 * Latency tables: the machine's trace as an arquero table, and per-group summaries (count, mean,
 * p50/p90/p99) in cycles and in nanoseconds at the cost profile's clock.
 *
 * Percentile method: R-7 of Hyndman & Fan (1996), the default of R, NumPy and d3, which is what
 * arquero's `op.quantile` computes (arquero 8.0.3 `src/util/quantile.js`). For the n values of a
 * group sorted ascending, x[0] ≤ … ≤ x[n−1], the p-quantile is found at the fractional index
 * h = (n − 1)·p and interpolated linearly: x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). So p50 of
 * [100, 200] is 150 and p99 of a group is never larger than its maximum. `percentile()` below is the
 * same method for plain arrays.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { CostModel, Confidence, CpuId, Trace, TraceRecord } from "../machine/index.js";

/** Which records to take: the same filter as `Trace.records`. */
export interface TraceFilter {
  layer?: string;
  op?: string;
  actor?: string;
  cpu?: CpuId;
}

/** The cost model as far as metrics need it (a `CostModel` fits). */
export type CostsLike = Pick<CostModel, "profile" | "entry" | "namesInMask">;

/** Confidence levels from strongest to weakest; a record is as weak as its weakest primitive. */
const CONFIDENCE_ORDER: readonly Confidence[] = ["measured", "derived", "approximate", "assumed"];

/** True for the confidence levels a plot has to mark (STYLE §8). */
export function isUncertain(confidence: Confidence): boolean {
  return confidence === "approximate" || confidence === "assumed";
}

/**
 * Columns of a latency table, one row per trace record:
 * time (cycles, start on its CPU's clock), cpu, layer, op, actor, cycles, ns (cycles at the
 * profile's clock), primitives (the cost entries the charge rested on, joined by "+"),
 * confidence (the weakest of them; "" when the charge named none), rests_on (the approximate or
 * assumed ones among them, joined by ", "; "" when none).
 *
 * Confidence is read from the cost model as it stands now: if a cell overrode an entry after the
 * records were taken, the table reports the override's confidence.
 */
export function latencyTable(trace: Trace | Iterable<TraceRecord>, costs: CostsLike, filter?: TraceFilter): ColumnTable {
  const hz = costs.profile.hz;
  const cols = {
    time: [] as number[],
    cpu: [] as number[],
    layer: [] as string[],
    op: [] as string[],
    actor: [] as string[],
    cycles: [] as number[],
    ns: [] as number[],
    primitives: [] as string[],
    confidence: [] as string[],
    rests_on: [] as string[],
  };
  const masks = new Map<string, { primitives: string; confidence: string; restsOn: string }>();
  for (const r of trace) {
    if (filter?.layer !== undefined && r.layer !== filter.layer) continue;
    if (filter?.op !== undefined && r.op !== filter.op) continue;
    if (filter?.actor !== undefined && r.actor !== filter.actor) continue;
    if (filter?.cpu !== undefined && r.cpu !== filter.cpu) continue;
    const key = `${r.primsLo}:${r.primsHi}`;
    let info = masks.get(key);
    if (info === undefined) {
      info = describeMask(costs, r.primsLo, r.primsHi);
      masks.set(key, info);
    }
    cols.time.push(r.time);
    cols.cpu.push(r.cpu);
    cols.layer.push(r.layer);
    cols.op.push(r.op);
    cols.actor.push(r.actor);
    cols.cycles.push(r.cycles);
    cols.ns.push((r.cycles / hz) * 1e9);
    cols.primitives.push(info.primitives);
    cols.confidence.push(info.confidence);
    cols.rests_on.push(info.restsOn);
  }
  return aq.table(cols);
}

function describeMask(costs: CostsLike, lo: number, hi: number): { primitives: string; confidence: string; restsOn: string } {
  const names = costs.namesInMask(lo, hi);
  let weakest = -1;
  const uncertain: string[] = [];
  for (const name of names) {
    const c = costs.entry(name).confidence;
    weakest = Math.max(weakest, CONFIDENCE_ORDER.indexOf(c));
    if (isUncertain(c)) uncertain.push(name);
  }
  return { primitives: names.join("+"), confidence: weakest < 0 ? "" : CONFIDENCE_ORDER[weakest]!, restsOn: uncertain.join(", ") };
}

/** The percentiles every summary reports. */
export const SUMMARY_PERCENTILES = [0.5, 0.9, 0.99] as const;

/**
 * Per-group latency statistics, ordered by the group keys. Columns: the `by` keys, count, mean,
 * min, p50, p90, p99, max (cycles), mean_ns, p50_ns, p90_ns, p99_ns (at the profile's clock), and
 * rests_on (every approximate or assumed primitive any record of the group rested on, sorted,
 * joined by ", "). Percentiles: R-7 linear interpolation (see the file comment).
 */
export function latencySummary(source: ColumnTable | Trace | Iterable<TraceRecord>, costs: CostsLike, by: readonly string[] = ["layer", "op"]): ColumnTable {
  // By shape, not instanceof: a notebook may hold a table made by another copy of arquero.
  const table = typeof (source as Partial<ColumnTable>).groupby === "function" ? (source as ColumnTable) : latencyTable(source as Iterable<TraceRecord>, costs);
  for (const name of [...by, "cycles"]) {
    if (table.columnIndex(name) < 0) {
      throw new RangeError(`latencySummary: the table has no column "${name}" (columns: ${table.columnNames().join(", ")})`);
    }
  }
  const hasRestsOn = table.columnIndex("rests_on") >= 0;
  const op = aq.op;
  const rolled = table
    .groupby(...by)
    .rollup({
      count: op.count(),
      mean: op.mean("cycles"),
      min: op.min("cycles"),
      p50: op.quantile("cycles", 0.5),
      p90: op.quantile("cycles", 0.9),
      p99: op.quantile("cycles", 0.99),
      max: op.max("cycles"),
      ...(hasRestsOn ? { rests_on_all: op.array_agg_distinct("rests_on") } : {}),
    })
    .orderby(...by);
  const scale = 1e9 / costs.profile.hz;
  const ns = (name: string): number[] => Array.from(rolled.array(name) as ArrayLike<number>, (v) => v * scale);
  const restsOn = hasRestsOn
    ? Array.from(rolled.array("rests_on_all") as ArrayLike<string[]>, (lists) =>
        [...new Set(lists.flatMap((s) => (s === "" ? [] : s.split(", "))))].sort().join(", "),
      )
    : Array.from({ length: rolled.numRows() }, () => "");
  const withNs = rolled.assign({ mean_ns: ns("mean"), p50_ns: ns("p50"), p90_ns: ns("p90"), p99_ns: ns("p99"), rests_on: restsOn });
  return hasRestsOn ? withNs.select(aq.not("rests_on_all")) : withNs;
}

/**
 * The p-quantile (0 ≤ p ≤ 1) of a list of numbers by R-7 linear interpolation, the method of
 * `latencySummary`. NaN for an empty list.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile: p must lie in [0, 1], got ${p}`);
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (n - 1) * p;
  const i = Math.floor(h);
  const lo = sorted[i]!;
  return i + 1 < n ? lo + (h - i) * (sorted[i + 1]! - lo) : lo;
}
