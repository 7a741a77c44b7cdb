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
