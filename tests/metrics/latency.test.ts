import { describe, expect, it } from "vitest";
import { CostModel, Trace } from "../../src/machine/index.js";
import { latencySummary, latencyTable, percentile } from "../../src/metrics/index.js";

const costs = new CostModel("skylake");

/** Mask of a set of primitives, as the machine's chargeMany builds it. */
function mask(...names: string[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const n of names) {
    const r = costs.rate(n);
    lo |= r.lo;
    hi |= r.hi;
  }
  return [lo >>> 0, hi >>> 0];
}

/**
 * nova/call: 100, 200, 300, 400, 1000 cycles (one of them also charged typed_item_xfer, assumed);
 * xen/hypercall: 150, 50 cycles on xen_hvm_hypercall (approximate).
 */
function handTrace(): Trace {
  const t = new Trace(64);
  const sys = mask("syscall");
  const sysTyped = mask("syscall", "typed_item_xfer");
  const hvm = mask("xen_hvm_hypercall");
  t.record(0, 0, "nova", "call", "ec1", 300, ...sys);
  t.record(300, 0, "nova", "call", "ec1", 100, ...sys);
  t.record(400, 1, "nova", "call", "ec2", 1000, ...sysTyped);
  t.record(1400, 1, "nova", "call", "ec2", 200, ...sys);
  t.record(1600, 0, "nova", "call", "ec1", 400, ...sys);
  t.record(2000, 1, "xen", "hypercall", "dom0", 150, ...hvm);
  t.record(2150, 1, "xen", "hypercall", "dom0", 50, ...hvm);
  return t;
}

describe("latencyTable", () => {
  it("has one row per trace record with cycles, nanoseconds at the profile clock and the primitives it rested on", () => {
    const t = latencyTable(handTrace(), costs);
    expect(t.numRows()).toBe(7);
    expect(t.columnNames()).toEqual(["time", "cpu", "layer", "op", "actor", "cycles", "ns", "primitives", "confidence", "rests_on"]);
    const third = t.object(2) as Record<string, unknown>;
    expect(third).toMatchObject({ time: 400, cpu: 1, layer: "nova", op: "call", actor: "ec2", cycles: 1000 });
    expect(third["ns"]).toBeCloseTo(1000 / 3.4, 9);
    expect(third["primitives"]).toBe("syscall+typed_item_xfer");
    expect(third["confidence"]).toBe("assumed");
    expect(third["rests_on"]).toBe("typed_item_xfer");
    const first = t.object(0) as Record<string, unknown>;
    expect(first["confidence"]).toBe("measured");
    expect(first["rests_on"]).toBe("");
    expect((t.object(5) as Record<string, unknown>)["confidence"]).toBe("approximate");
  });

  it("takes the same filter as Trace.records", () => {
    expect(latencyTable(handTrace(), costs, { layer: "xen" }).numRows()).toBe(2);
    expect(latencyTable(handTrace(), costs, { cpu: 0 }).numRows()).toBe(3);
    expect(latencyTable(handTrace(), costs, { actor: "ec2", op: "call" }).numRows()).toBe(2);
  });

  it("reports an override made in a cell as assumed", () => {
    const overridden = new CostModel("skylake", { syscall: 90 });
    const t = latencyTable(handTrace(), overridden, { layer: "nova" });
    expect(t.array("confidence")).toEqual(["assumed", "assumed", "assumed", "assumed", "assumed"]);
    expect(t.get("rests_on", 2)).toBe("syscall, typed_item_xfer");
  });
});

describe("latencySummary", () => {
  it("gives count, mean and R-7 percentiles per layer and op, computed by hand", () => {
    const s = latencySummary(handTrace(), costs);
    expect(s.numRows()).toBe(2);
    const [nova, xen] = s.objects() as Record<string, number | string>[];
    // nova/call sorted: 100 200 300 400 1000 (n = 5)
    expect(nova).toMatchObject({ layer: "nova", op: "call", count: 5, mean: 400, min: 100, max: 1000 });
    expect(nova!["p50"]).toBe(300); // h = 4·0.5 = 2 → x[2]
    expect(nova!["p90"]).toBeCloseTo(760, 9); // h = 3.6 → 400 + 0.6·(1000 − 400)
    expect(nova!["p99"]).toBeCloseTo(976, 9); // h = 3.96 → 400 + 0.96·600
    expect(nova!["rests_on"]).toBe("typed_item_xfer");
    // xen/hypercall sorted: 50 150 (n = 2)
    expect(xen).toMatchObject({ layer: "xen", op: "hypercall", count: 2, mean: 100 });
    expect(xen!["p50"]).toBe(100); // h = 0.5
    expect(xen!["p90"]).toBeCloseTo(140, 9); // h = 0.9
    expect(xen!["p99"]).toBeCloseTo(149, 9); // h = 0.99
    expect(xen!["rests_on"]).toBe("xen_hvm_hypercall");
  });

  it("converts every statistic to nanoseconds at the profile's clock", () => {
    const [nova] = latencySummary(handTrace(), costs).objects() as Record<string, number>[];
    expect(nova!["mean_ns"]).toBeCloseTo(400 / 3.4, 9);
    expect(nova!["p50_ns"]).toBeCloseTo(300 / 3.4, 9);
    expect(nova!["p90_ns"]).toBeCloseTo(760 / 3.4, 9);
    expect(nova!["p99_ns"]).toBeCloseTo(976 / 3.4, 9);
    const slow = latencySummary(handTrace(), new CostModel("nehalem-2010")).objects() as Record<string, number>[];
    expect(slow[0]!["mean_ns"]).toBeCloseTo(400 / 2.67, 9);
  });

  it("groups by any columns of a latency table", () => {
    const s = latencySummary(latencyTable(handTrace(), costs), costs, ["cpu"]);
    expect(s.array("cpu")).toEqual([0, 1]);
    expect(s.array("count")).toEqual([3, 4]);
    expect(s.get("mean", 0)).toBeCloseTo((300 + 100 + 400) / 3, 9);
  });

  it("names a missing group column", () => {
    expect(() => latencySummary(handTrace(), costs, ["vcpu"])).toThrow(/no column "vcpu"/);
  });

  it("is empty for an empty trace", () => {
    expect(latencySummary(new Trace(4), costs).numRows()).toBe(0);
  });
});

describe("percentile (R-7)", () => {
  it("interpolates linearly at (n − 1)·p of the sorted values", () => {
    expect(percentile([400, 100, 1000, 300, 200], 0.9)).toBeCloseTo(760, 9);
    expect(percentile([100, 200], 0.5)).toBe(150);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([1, 2, 3], 1)).toBe(3);
    expect(percentile([1, 2, 3], 0)).toBe(1);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
  });

  it("agrees with latencySummary on the same values", () => {
    const values = [100, 200, 300, 400, 1000];
    const [nova] = latencySummary(handTrace(), costs).objects() as Record<string, number>[];
    for (const [p, col] of [[0.5, "p50"], [0.9, "p90"], [0.99, "p99"]] as const) expect(percentile(values, p)).toBeCloseTo(nova![col]!, 9);
  });
});
