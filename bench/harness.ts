/**
 * Benchmark harness. A benchmark measures host throughput of the emulator (never simulated time):
 * it runs a body in batches, times each batch with the monotonic host clock, and keeps every sample
 * with its summary statistics (min, max, mean, stddev, median, q1, q3), as sel4bench records its runs
 * (shared/reference/peers.md §4.5). Targets are reported beside the figure, never asserted.
 */
export interface Stats {
  samples: number[];
  min: number;
  max: number;
  mean: number;
  stddev: number;
  median: number;
  q1: number;
  q3: number;
}

export interface BenchResult {
  /** Subsystem, e.g. "machine". */
  suite: string;
  name: string;
  unit: string;
  /** Median of the samples, in `unit`. */
  value: number;
  stats?: Stats;
  /** What the issue asks for, in the same unit, and which way is better. */
  target?: { value: number; better: "higher" | "lower" };
  /** Free-form columns: sizes of a scaling curve, configuration. */
  params?: Record<string, unknown>;
}

export type Suite = () => Promise<BenchResult[]> | BenchResult[];

function quantile(sorted: number[], p: number): number {
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, samples.length - 1);
  return {
    samples,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean,
    stddev: Math.sqrt(variance),
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
  };
}

/** Seconds elapsed while `body` runs once. */
export function time(body: () => void): number {
  const start = process.hrtime.bigint();
  body();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Operations per second of `body(n)`, which performs n operations: a warm-up batch, then `samples`
 * timed batches.
 */
export function opsPerSecond(body: (n: number) => void, batch: number, samples = 7): Stats {
  body(batch);
  const rates: number[] = [];
  for (let s = 0; s < samples; s++) rates.push(batch / time(() => body(batch)));
  return stats(rates);
}

export function rate(suite: string, name: string, s: Stats, target?: number, params?: Record<string, unknown>): BenchResult {
  return { suite, name, unit: "ops/s", value: s.median, stats: s, ...(target === undefined ? {} : { target: { value: target, better: "higher" } }), ...(params ? { params } : {}) };
}

/** One point of a scaling curve: a body doing n operations on a world of `objects` objects. */
export interface Point {
  objects: number;
  body: (n: number) => void;
  /** Extra columns for this point (set-up time, heap, …). */
  params?: Record<string, unknown>;
}

/**
 * The five scaling curves of issue 10. Every point of one is a result with `params.curve` and
 * `params.objects`, and each curve ends with a spread record (see `curve`).
 */
export type CurveName = "capabilities" | "domains" | "ports" | "XenStore nodes" | "init children";

/**
 * Measure the points of a curve interleaved (a warm-up batch each, then `samples` rounds of one batch
 * per point), so that load from other processes on a shared host hits every point alike and their
 * ratio stays meaningful. Returns one ops/s result per point and, last, the curve's spread: the
 * slowest point's cost per op over the fastest's, which the issue wants ≤ 2.
 */
export function curve(suite: string, name: CurveName, op: string, points: readonly Point[], batch: number, samples = 7): BenchResult[] {
  for (const p of points) p.body(batch);
  const rates = points.map((): number[] => []);
  for (let s = 0; s < samples; s++) points.forEach((p, i) => rates[i]!.push(batch / time(() => p.body(batch))));
  const results = points.map((p, i) => rate(suite, `${op} at ${p.objects} ${name}`, stats(rates[i]!), undefined, { curve: name, op, objects: p.objects, ...p.params }));
  return [...results, spread(suite, name, op, results)];
}

/** A curve's spread record: max/min per-op cost over its points (target ≤ 2). */
export function spread(suite: string, name: CurveName, op: string, points: readonly BenchResult[]): BenchResult {
  const rates = points.map((p) => p.value);
  const ratio = Math.max(...rates) / Math.min(...rates);
  return {
    suite, name: `${op}: per-op cost spread across ${name}`, unit: "×", value: +ratio.toFixed(2), target: { value: 2, better: "lower" },
    params: { curve: name, op, spread: true, objects: points.map((p) => p.params?.["objects"]), opsPerSecond: rates.map(Math.round) },
  };
}

/** What a simulated clock needs: the latest cycle any CPU reached, and the profile's frequency. */
export interface SimulatedClock {
  now(): number;
  costs: { hz: number; profile: { id: string } };
}

/**
 * Wrap a benchmark body so that it also reads the machine's own clock: the simulated cycles the
 * batches advanced (latest CPU clock, before and after) over the operations they did. Together with
 * the host rate this gives the simulated-time / host-time ratio (`simulatedTime`).
 */
export function onClock(m: SimulatedClock, body: (n: number) => void): { body: (n: number) => void; params: () => Record<string, unknown> } {
  let cycles = 0;
  let ops = 0;
  return {
    body(n) {
      const t0 = m.now();
      body(n);
      cycles += m.now() - t0;
      ops += n;
    },
    params: () => {
      if (cycles <= 0) throw new Error("the machine's clock did not advance: nothing simulated to compare with");
      return { simCyclesPerOp: cycles / ops, hz: m.costs.hz, profile: m.costs.profile.id };
    },
  };
}
