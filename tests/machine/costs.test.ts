import { describe, expect, it } from "vitest";
import { CostModel, primitiveNames, profiles } from "../../src/machine/index.js";

describe("cost profiles", () => {
  const all = Object.values(profiles);

  it("give every entry a cycle count, a source and a confidence", () => {
    for (const profile of all) {
      for (const [name, entry] of Object.entries(profile.entries)) {
        expect(entry.cycles, `${profile.id}.${name}`).toBeGreaterThanOrEqual(0);
        expect(entry.source.length, `${profile.id}.${name} source`).toBeGreaterThan(20);
        expect(["measured", "derived", "approximate", "assumed"]).toContain(entry.confidence);
      }
    }
  });

  it("all define the same primitives", () => {
    for (const profile of all) expect(Object.keys(profile.entries).sort()).toEqual([...primitiveNames].sort());
  });

  it("clock the Skylake profiles at 3.4 GHz and the NOVA paper's machine at 2.67 GHz", () => {
    expect(profiles.skylake.hz).toBe(3.4e9);
    expect(profiles["skylake-kpti"].hz).toBe(3.4e9);
    expect(profiles["nehalem-2010"].hz).toBe(2.67e9);
  });

  it("carry the NOVA paper's 288-cycle one-way IPC on nehalem-2010", () => {
    expect(profiles["nehalem-2010"].entries.ipc_oneway).toMatchObject({ cycles: 288, confidence: "measured" });
  });

  it("make KPTI cost 592 − 134 cycles per kernel entry only in skylake-kpti", () => {
    expect(profiles.skylake.entries.kpti_switch.cycles).toBe(0);
    expect(profiles["skylake-kpti"].entries.kpti_switch.cycles).toBe(455);
    expect(profiles["skylake-kpti"].entries.syscall.cycles + profiles["skylake-kpti"].entries.kpti_switch.cycles).toBe(590);
  });
});

describe("CostModel", () => {
  it("names the unknown primitive and lists the known ones", () => {
    const costs = new CostModel("skylake");
    expect(() => costs.cycles("sycsall")).toThrowError(/unknown cost primitive "sycsall".*known primitives: syscall, /);
  });

  it("does not mistake an inherited object property for a primitive", () => {
    const costs = new CostModel("skylake");
    expect(() => costs.cycles("toString")).toThrowError(/unknown cost primitive "toString"/);
    expect(() => costs.override({ constructor: 5 })).toThrowError(/unknown cost primitive "constructor"/);
  });

  it("names an unknown profile and lists the known ones", () => {
    expect(() => new CostModel("pentium")).toThrowError(/unknown cost profile "pentium".*skylake, skylake-kpti, nehalem-2010/);
  });

  it("applies an override as an assumed entry and can reset it", () => {
    const costs = new CostModel("skylake");
    costs.override({ syscall: 500 });
    expect(costs.cycles("syscall")).toBe(500);
    expect(costs.entry("syscall").confidence).toBe("assumed");
    expect(costs.entry("syscall").source).toMatch(/overridden in the notebook \(profile value 135\)/);
    costs.reset();
    expect(costs.cycles("syscall")).toBe(135);
  });

  it("keeps an override's own source and confidence", () => {
    const costs = new CostModel("skylake", { vmexit: { cycles: 1000, source: "my measurement", confidence: "measured" } });
    expect(costs.entry("vmexit")).toEqual({ cycles: 1000, source: "my measurement", confidence: "measured" });
  });

  it("rejects a bad override without changing any entry", () => {
    const costs = new CostModel("skylake");
    expect(() => costs.override({ syscall: 1, nonsense: 2 })).toThrowError(/unknown cost primitive "nonsense"/);
    expect(() => costs.override({ syscall: -1 })).toThrowError(/non-negative/);
    expect(costs.cycles("syscall")).toBe(135);
    expect(costs.overrides()).toEqual({});
  });

  it("maps a charge mask back to the primitives it rested on", () => {
    const costs = new CostModel("skylake");
    const a = costs.rate("syscall");
    const b = costs.rate("memcpy_per_byte");
    expect(costs.namesInMask(a.lo | b.lo, a.hi | b.hi)).toEqual(["syscall", "memcpy_per_byte"]);
  });
});

describe("CostModel rates", () => {
  it("keep their identity across overrides, so a layer may hold one on its hot path", () => {
    const costs = new CostModel("skylake");
    const rate = costs.rate("vmexit");
    costs.override({ vmexit: 999 });
    expect(costs.rate("vmexit")).toBe(rate);
    expect(rate.cycles).toBe(999);
    costs.reset();
    expect(rate.cycles).toBe(1190);
  });
});
