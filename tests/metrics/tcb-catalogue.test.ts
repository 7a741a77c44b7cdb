import { describe, expect, it } from "vitest";
import { TCB_CATALOGUE, TCB_CATEGORIES, TcbError, tcb } from "../../src/metrics/index.js";

describe("TCB catalogue", () => {
  it("gives every component a positive whole LOC, a category, a version and a non-empty source", () => {
    expect(TCB_CATALOGUE.size).toBeGreaterThan(40);
    for (const [id, c] of TCB_CATALOGUE) {
      expect(c.id).toBe(id);
      expect(Number.isInteger(c.loc) && c.loc > 0, id).toBe(true);
      expect(TCB_CATEGORIES, id).toContain(c.category);
      expect(c.source.trim().length, id).toBeGreaterThan(10);
      expect(c.version.trim().length, id).toBeGreaterThan(0);
      expect(c.name.trim().length, id).toBeGreaterThan(0);
      expect(["cloc", "published"], id).toContain(c.counted);
      for (const o of c.overlaps ?? []) expect(TCB_CATALOGUE.has(o), `${id} overlaps unknown ${o}`).toBe(true);
    }
  });

  it("has exactly the seven categories of the issue", () => {
    expect([...TCB_CATEGORIES]).toEqual(["kernel", "core/runtime", "services", "drivers", "dom0 OS", "device model", "toolstack"]);
    const used = new Set([...TCB_CATALOGUE.values()].map((c) => c.category));
    expect([...used].sort()).toEqual([...TCB_CATEGORIES].sort());
  });

  it("holds the figures the references give, with their source", () => {
    const loc = (id: string): number => TCB_CATALOGUE.get(id)!.loc;
    expect(loc("nova-v0.1")).toBe(8_835);
    expect(loc("nova-s14")).toBe(9_530);
    expect(loc("nova-genode")).toBe(15_029);
    expect(loc("nova-24.08-x86_64")).toBe(13_957);
    expect(loc("sel4-tree")).toBe(58_246);
    expect(loc("xen-3.0")).toBe(80_964);
    expect(loc("xen-4.22")).toBe(312_224);
    expect(loc("xen-4.22-tree")).toBe(380_062);
    expect(loc("xenstored-c-4.22")).toBe(8_576);
    expect(loc("oxenstored-4.22")).toBe(4_022);
    expect(loc("mini-os")).toBe(25_248);
    expect(loc("genode-core")).toBe(5_601);
    expect(loc("genode-core-nova")).toBe(3_873);
    expect(loc("genode-init")).toBe(3_223);
    expect(loc("linux-ubuntu-14.04")).toBe(1_500_000);
    expect(loc("qemu")).toBe(1_400_000);
    expect(loc("kvm")).toBe(33_600);
    expect(TCB_CATALOGUE.get("linux-ubuntu-14.04")!.source).toMatch(/16-08/);
    expect(TCB_CATALOGUE.get("qemu")!.source).toMatch(/1\.4M/);
    expect(TCB_CATALOGUE.get("sel4-x64")!.source).toMatch(/16–18 kSLOC/);
    expect(TCB_CATALOGUE.get("xen-4.22")!.source).toMatch(/cloc/);
  });

  it("flags ranges, bounds, secondary and ⚠ figures as approximate and exact cloc counts as not", () => {
    for (const id of ["qemu", "linux-ubuntu-14.04", "sel4-x64", "muen", "nova-vmm", "xoar-builder"]) expect(TCB_CATALOGUE.get(id)!.approximate, id).toBe(true);
    for (const id of ["nova-genode", "xen-4.22", "genode-core", "mini-os"]) expect(TCB_CATALOGUE.get(id)!.approximate, id).toBe(false);
    for (const c of TCB_CATALOGUE.values()) if (c.counted === "cloc") expect(c.approximate, c.id).toBe(false);
  });
});

describe("tcb()", () => {
  it("sums Genode on NOVA by category", () => {
    const r = tcb(["nova-genode", "genode-core", "genode-core-nova", "genode-base-lib-nova", "genode-init"]);
    expect(r.byCategory).toEqual({
      kernel: 15_029,
      "core/runtime": 5_601 + 3_873 + 9_435 + 3_223,
      services: 0,
      drivers: 0,
      "dom0 OS": 0,
      "device model": 0,
      toolstack: 0,
    });
    expect(r.total).toBe(37_161);
    expect(r.rows.map((c) => c.id)).toEqual(["nova-genode", "genode-core", "genode-core-nova", "genode-base-lib-nova", "genode-init"]);
    expect(r.approximate).toBe(false);
  });

  it("sums Xen with a Linux Dom0 and QEMU by category, and says it is approximate", () => {
    const r = tcb(["xen-4.22", "linux-ubuntu-14.04", "qemu", "xenstored-c-4.22", "xl-4.22", "libxl-4.22"]);
    expect(r.byCategory.kernel).toBe(312_224);
    expect(r.byCategory["dom0 OS"]).toBe(1_500_000);
    expect(r.byCategory["device model"]).toBe(1_400_000);
    expect(r.byCategory.services).toBe(8_576);
    expect(r.byCategory.toolstack).toBe(11_359 + 41_166);
    expect(r.total).toBe(3_273_325);
    expect(r.approximate).toBe(true);
  });

  it("counts a component named twice once", () => {
    expect(tcb(["genode-core", "genode-core"]).total).toBe(5_601);
    expect(tcb([]).total).toBe(0);
  });

  it("rejects an unknown id, naming it and listing the known ids", () => {
    let error: unknown;
    try {
      tcb(["nova-genode", "hyper-v"]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TcbError);
    const message = (error as Error).message;
    expect(message).toContain('"hyper-v"');
    expect(message).toContain("nova-genode");
    expect(message).toContain("xenstored-c-4.22");
  });

  it("rejects two entries that count the same code", () => {
    expect(() => tcb(["xen-4.22", "xen-4.22-tree"])).toThrow(/"xen-4.22".*"xen-4.22-tree"|"xen-4.22-tree".*"xen-4.22"/);
    expect(() => tcb(["genode-core-nova-full", "genode-core"])).toThrow(TcbError);
  });
});
