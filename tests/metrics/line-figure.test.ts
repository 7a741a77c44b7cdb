import { describe, expect, it } from "vitest";
import { groupedBars, lineChart, provenanceNote, uncertaintyMarker, withReferenceLine, type PlotlySpec, type Provenance } from "../../src/metrics/index.js";

const host: Provenance = { kind: "host", cpu: "Test CPU @ 3.0GHz", cores: 4, node: "v20.19.5", date: "2026-11-25" };

function notes(spec: PlotlySpec): string {
  return (spec.layout["annotations"] as { text: string }[]).map((a) => a.text).join("\n");
}

describe("host provenance (benchmark figures)", () => {
  it("labels a figure as a host measurement, not a simulation, with the host's CPU, cores, Node and date", () => {
    const note = provenanceNote(host);
    expect(note).toContain("Host measurement");
    expect(note).toContain("not a simulation");
    expect(note).toContain("Test CPU @ 3.0GHz, 4 cores, Node v20.19.5, 2026-11-25");
    const spec = groupedBars({ categories: ["a"], series: [{ name: "s", values: [1] }] }, { provenance: host, quantity: "Throughput", unit: "ops/s" });
    expect((spec.layout["meta"] as { hypernote: { simulated: boolean } }).hypernote.simulated).toBe(false);
    expect(notes(spec)).toContain("Host measurement");
  });

  it("marks a caveat with ⚠ and leaves figures without one unmarked", () => {
    expect(uncertaintyMarker(host)).toBeUndefined();
    expect(uncertaintyMarker({ ...host, caveat: "the host was shared" })).toBe("⚠ the host was shared");
  });
});

describe("lineChart", () => {
  it("draws one lines+markers trace per series on the axes asked for", () => {
    const spec = lineChart([{ name: "ports", x: [10, 100], y: [5, 4] }, { name: "domains", x: [10, 100], y: [3, 2] }], { provenance: host, xTitle: "objects", yTitle: "ops/s", logX: true });
    expect(spec.data.map((t) => [t["name"], t["mode"], t["x"], t["y"]])).toEqual([["ports", "lines+markers", [10, 100], [5, 4]], ["domains", "lines+markers", [10, 100], [3, 2]]]);
    expect((spec.layout["xaxis"] as { type?: string }).type).toBe("log");
    expect((spec.layout["yaxis"] as { type?: string }).type).toBeUndefined();
  });

  it("refuses a series whose x and y differ in length", () => {
    expect(() => lineChart([{ name: "bad", x: [1, 2], y: [1] }], { provenance: host, xTitle: "x", yTitle: "y" })).toThrow(/2 x values and 1 y values/);
  });
});

describe("withReferenceLine", () => {
  const base = lineChart([{ name: "s", x: [1, 2], y: [0.5, 20] }], { provenance: host, xTitle: "x", yTitle: "y" });

  it("adds a labelled horizontal line at the value on a linear axis, leaving the original spec alone", () => {
    const spec = withReferenceLine(base, 2, "target ≤ 2×");
    const shape = (spec.layout["shapes"] as { y0: number; y1: number; xref: string }[])[0]!;
    expect([shape.y0, shape.y1, shape.xref]).toEqual([2, 2, "paper"]);
    expect(notes(spec)).toContain("target ≤ 2×");
    expect(base.layout["shapes"]).toBeUndefined();
  });

  it("on a logarithmic axis keeps the line at the value but puts its label at log10 of it, as plotly places annotations there", () => {
    const log = lineChart([{ name: "s", x: [1, 2], y: [0.5, 20] }], { provenance: host, xTitle: "x", yTitle: "y", logY: true });
    const spec = withReferenceLine(log, 100, "100×");
    expect((spec.layout["shapes"] as { y0: number }[])[0]!.y0).toBe(100);
    expect((spec.layout["annotations"] as { text: string; y: number }[]).find((a) => a.text === "100×")!.y).toBe(2);
  });
});
