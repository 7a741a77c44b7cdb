import { describe, expect, it } from "vitest";
import { CostModel, Machine, Trace } from "../../src/machine/index.js";
import {
  cdf,
  combinedProvenance,
  groupedBars,
  histogram,
  latencyTable,
  locProvenance,
  provenanceOf,
  stackedBars,
  tcb,
  tcbBarData,
  timeline,
  type PlotlySpec,
} from "../../src/metrics/index.js";

const NOTE = "Simulated on hypernote — cost profile skylake (Intel Core i7-6700 (Skylake)); not a hardware measurement";

function machineWith(...charges: string[][]): Machine {
  const m = new Machine({ cpus: 2, costs: "skylake" });
  charges.forEach((parts, i) => m.chargeMany(i % 2, parts as never, "test", parts.join("+"), `actor${i % 3}`));
  return m;
}

function annotationText(spec: PlotlySpec): string {
  const annotations = spec.layout["annotations"] as { text: string }[];
  return annotations.map((a) => a.text).join("\n");
}

function titleText(spec: PlotlySpec): string {
  return (spec.layout["title"] as { text: string }).text;
}

function axis(spec: PlotlySpec, name: "xaxis" | "yaxis"): string {
  return ((spec.layout[name] as { title: { text: string } }).title.text);
}

const measuredOnly = machineWith(["syscall"], ["syscall", "page_map"], ["syscall"]);
const withAssumed = machineWith(["syscall"], ["syscall", "typed_item_xfer"]);
const withApproximate = machineWith(["xen_hvm_hypercall"], ["syscall"]);

describe("provenanceOf", () => {
  it("names the profile and CPU and lists only the approximate or assumed entries the records rested on", () => {
    expect(provenanceOf(measuredOnly)).toEqual({ kind: "cost", profile: "skylake", cpuModel: "Intel Core i7-6700 (Skylake)", hz: 3.4e9, uncertain: [] });
    const p = provenanceOf(withAssumed);
    expect(p.uncertain.map((u) => [u.name, u.confidence])).toEqual([["typed_item_xfer", "assumed"]]);
    expect(p.uncertain[0]!.source).toMatch(/no published figure/);
    expect(provenanceOf(withApproximate).uncertain.map((u) => u.name)).toEqual(["xen_hvm_hypercall"]);
  });

  it("looks only at the records it is given, as records or as a latency table", () => {
    const first = withAssumed.trace.records({ op: "syscall" });
    expect(provenanceOf(withAssumed, first).uncertain).toEqual([]);
    const table = latencyTable(withAssumed.trace, withAssumed.costs);
    expect(provenanceOf(withAssumed, table).uncertain.map((u) => u.name)).toEqual(["typed_item_xfer"]);
  });

  it("counts a cell's override as assumed", () => {
    const m = new Machine({ costs: { profile: "skylake", overrides: { syscall: 100 } } });
    m.charge(0, "syscall", "test", "null", "a");
    expect(provenanceOf(m).uncertain.map((u) => [u.name, u.confidence])).toEqual([["syscall", "assumed"]]);
  });
});

describe("figure builders", () => {
  const clean = provenanceOf(measuredOnly);
  const assumed = provenanceOf(withAssumed);
  const approximate = provenanceOf(withApproximate);

  const builders: [string, (p: typeof clean) => PlotlySpec][] = [
    ["histogram", (p) => histogram({ name: "a", values: [1, 2, 3] }, { provenance: p, title: "H" })],
    ["cdf", (p) => cdf({ name: "a", values: [1, 2, 3] }, { provenance: p, title: "C" })],
    ["groupedBars", (p) => groupedBars({ categories: ["x"], series: [{ name: "s", values: [1] }] }, { provenance: p, title: "G" })],
    ["stackedBars", (p) => stackedBars({ categories: ["x"], series: [{ name: "s", values: [1] }] }, { provenance: p, title: "S" })],
    ["timeline", (p) => timeline(measuredOnly.trace, { provenance: p, title: "T" })],
  ];

  for (const [name, build] of builders) {
    it(`${name}: says it is simulated and names the profile; marks it exactly when an approximate or assumed entry contributed`, () => {
      const plain = build(clean);
      expect(annotationText(plain)).toContain(NOTE);
      expect(annotationText(plain)).not.toContain("⚠");
      expect(titleText(plain)).not.toContain("⚠");
      expect((plain.layout["meta"] as { hypernote: { simulated: boolean; marker?: string } }).hypernote).toMatchObject({ simulated: true });
      expect((plain.layout["meta"] as { hypernote: { marker?: string } }).hypernote.marker).toBeUndefined();

      const marked = build(assumed);
      expect(annotationText(marked)).toContain(NOTE);
      expect(annotationText(marked)).toContain("⚠ rests on approximate/assumed cost entries: typed_item_xfer (assumed)");
      expect(titleText(marked)).toMatch(/ ⚠$/);
      expect(annotationText(build(approximate))).toContain("xen_hvm_hypercall (approximate)");
    });

    it(`${name}: is plain JSON with titled axes`, () => {
      const spec = build(clean);
      expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
      expect(spec.data.length).toBeGreaterThan(0);
      expect(typeof axis(spec, "yaxis")).toBe("string");
      expect(axis(spec, "xaxis").length + axis(spec, "yaxis").length).toBeGreaterThan(0);
    });
  }

  it("histogram: one histogram trace per series, latency in the stated unit on x, counts on y", () => {
    const spec = histogram([{ name: "NOVA", values: [300, 310] }, { name: "Xen", values: [1228] }], { provenance: clean, unit: "ns", nbins: 20 });
    expect(spec.data.map((t) => [t["type"], t["name"], t["x"], t["nbinsx"]])).toEqual([
      ["histogram", "NOVA", [300, 310], 20],
      ["histogram", "Xen", [1228], 20],
    ]);
    expect(axis(spec, "xaxis")).toBe("Latency (ns)");
    expect(axis(spec, "yaxis")).toBe("Operations (count)");
    expect(spec.layout["barmode"]).toBe("overlay");
    expect(axis(histogram({ name: "a", values: [1] }, { provenance: clean }), "xaxis")).toBe("Latency (cycles)");
  });

  it("cdf: sorted x, y stepping by 1/n up to 1", () => {
    const spec = cdf({ name: "a", values: [30, 10, 20, 40] }, { provenance: clean });
    const t = spec.data[0]!;
    expect(t["x"]).toEqual([10, 20, 30, 40]);
    expect(t["y"]).toEqual([0.25, 0.5, 0.75, 1]);
    expect(t["line"]).toEqual({ shape: "hv" });
    expect(axis(spec, "yaxis")).toBe("Fraction of operations ≤ x");
  });

  it("groupedBars and stackedBars: one bar trace per series over the categories, grouped or stacked", () => {
    const data = { categories: ["nova-genode", "xen-linux-dom0"], series: [{ name: "rpc", values: [600, 20000] }, { name: "block", values: [3000, 40000] }] };
    const g = groupedBars(data, { provenance: clean, categoryTitle: "Scenario" });
    expect(g.layout["barmode"]).toBe("group");
    expect(g.data.map((t) => [t["type"], t["name"], t["x"], t["y"]])).toEqual([
      ["bar", "rpc", ["nova-genode", "xen-linux-dom0"], [600, 20000]],
      ["bar", "block", ["nova-genode", "xen-linux-dom0"], [3000, 40000]],
    ]);
    expect(axis(g, "xaxis")).toBe("Scenario");
    expect(axis(g, "yaxis")).toBe("Latency (cycles)");
    expect(stackedBars(data, { provenance: clean }).layout["barmode"]).toBe("stack");
    expect(() => groupedBars({ categories: ["a", "b"], series: [{ name: "s", values: [1] }] }, { provenance: clean })).toThrow(/1 values for 2 categories/);
  });

  it("stackedBars of TCB results: lines of code by category, marked when a figure is approximate", () => {
    const nova = tcb(["nova-genode", "genode-core", "genode-core-nova"]);
    const xen = tcb(["xen-4.22", "linux-ubuntu-14.04", "qemu"]);
    const data = tcbBarData({ "nova-genode": nova, "xen-linux-dom0": xen });
    expect(data.categories).toEqual(["nova-genode", "xen-linux-dom0"]);
    expect(data.series.map((s) => [s.name, s.values])).toEqual([
      ["kernel", [15_029, 312_224]],
      ["core/runtime", [9_474, 0]],
      ["dom0 OS", [0, 1_500_000]],
      ["device model", [0, 1_400_000]],
    ]);
    const spec = stackedBars(data, { provenance: locProvenance(nova, xen) });
    expect(axis(spec, "yaxis")).toBe("Lines of code");
    expect(annotationText(spec)).toContain("TCB catalogue");
    expect(annotationText(spec)).toContain("⚠ includes approximate LOC figures: linux-ubuntu-14.04, qemu");
    expect(annotationText(stackedBars(tcbBarData({ n: nova }), { provenance: locProvenance(nova) }))).not.toContain("⚠");
  });

  it("timeline: one horizontal bar per record, starting at its time, in µs at the profile clock, a lane per CPU", () => {
    const trace = new Trace(8);
    const cm = new CostModel("skylake");
    trace.record(0, 0, "nova", "call", "ec1", 340, 0, 0);
    trace.record(3400, 1, "xen", "hypercall", "dom0", 1228, 0, 0);
    trace.record(340, 0, "nova", "reply", "ec2", 680, 0, 0);
    const p = provenanceOf({ costs: cm, trace });
    const spec = timeline(trace, { provenance: p });
    expect(spec.data.map((t) => t["name"])).toEqual(["nova", "xen"]);
    const nova = spec.data[0]!;
    expect(nova["orientation"]).toBe("h");
    expect(nova["y"]).toEqual(["CPU 0", "CPU 0"]);
    expect((nova["base"] as number[])[0]).toBeCloseTo(0, 12);
    expect((nova["base"] as number[])[1]).toBeCloseTo(0.1, 12); // 340 cycles at 3.4 GHz
    expect((nova["x"] as number[])[1]).toBeCloseTo(0.2, 12);
    expect((spec.data[1]!["base"] as number[])[0]).toBeCloseTo(1, 12);
    expect(spec.data.reduce((n, t) => n + (t["x"] as number[]).length, 0)).toBe(3);
    expect(axis(spec, "xaxis")).toBe("Simulated time (µs)");
    expect((spec.layout["yaxis"] as { categoryarray: string[] }).categoryarray).toEqual(["CPU 0", "CPU 1"]);

    const byActor = timeline(trace, { provenance: p, lanes: "actor", colorBy: "op" });
    expect(byActor.data.map((t) => t["name"])).toEqual(["call", "hypercall", "reply"]);
    expect(axis(byActor, "yaxis")).toBe("Actor");
    expect((byActor.layout["yaxis"] as { categoryarray: string[] }).categoryarray).toEqual(["dom0", "ec1", "ec2"]);
  });

  it("keeps user text literal: markup in titles is escaped for plotly", () => {
    const spec = histogram({ name: "a", values: [1] }, { provenance: clean, title: "<b>x</b> & y" });
    expect(titleText(spec)).toBe("&lt;b&gt;x&lt;/b&gt; &amp; y");
  });
});

describe("combinedProvenance", () => {
  it("names every profile and qualifies each uncertain entry with its profile", () => {
    const a = { kind: "cost" as const, profile: "skylake", cpuModel: "i7-6700", hz: 3.4e9, uncertain: [{ name: "invlpg", confidence: "approximate" as const, source: "s" }] };
    const b = { kind: "cost" as const, profile: "nehalem-2010", cpuModel: "i7 920", hz: 2.67e9, uncertain: [] };
    const c = combinedProvenance([a, b]);
    expect(c.profile).toBe("skylake, nehalem-2010");
    expect(c.cpuModel).toBe("i7-6700; i7 920");
    expect(c.uncertain.map((u) => u.name)).toEqual(["skylake:invlpg"]);
    expect(combinedProvenance([b])).toBe(b);
    expect(() => combinedProvenance([])).toThrowError(/at least one/);
  });
});
