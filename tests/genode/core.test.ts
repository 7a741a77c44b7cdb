import { describe, expect, it } from "vitest";
import { Machine, PAGE_SIZE } from "../../src/machine/index.js";
import { CORE_PRESERVED_CAPS, CORE_PRESERVED_RAM, bootGenode } from "../../src/genode/index.js";
import { LOG_RUN } from "./support/run-configs.js";

const MiB = 1024 * 1024;

describe("core", () => {
  it("keeps 224 KiB and 1,000 caps and logs the rest as assigned to init, after its banner", () => {
    const m = new Machine({ memory: "128M" });
    const g = bootGenode(m, { kernel: "nova", caps: 20_000 });
    const ram = g.core.ledger.totalRam;
    g.start(LOG_RUN);
    expect(g.log[0]).toBe("Genode 26.02");
    expect(g.log[1]).toBe(`${Math.floor((ram - 224 * 1024) / MiB)} MiB RAM and ${20_000 - 1000} caps assigned to init`);
    expect(CORE_PRESERVED_RAM).toBe(224 * 1024);
    expect(CORE_PRESERVED_CAPS).toBe(1000);
    expect(g.core.ledger.availRam("core")).toBe(224 * 1024);
    expect(g.core.ledger.availCaps("core")).toBe(1000);
    expect(ram).toBeLessThanOrEqual(128 * MiB - PAGE_SIZE); // NOVA's own boot allocations are not core's
    expect(g.conserved()).toBe(true);
  });

  it("prints Genode's error and starts no init when caps are below core's preservation", () => {
    const m = new Machine({ memory: "64M" });
    const g = bootGenode(m, { kernel: "nova", caps: 500 });
    expect(g.start(LOG_RUN)).toEqual({ ok: false, error: "CORE_PRESERVATION_EXCEEDED" });
    expect(g.log).toContain("Error: core preservation exceeds available caps");
  });

  it("offers PD, CPU, ROM, LOG, RM, IO_MEM, IO_PORT, IRQ, TRACE and, on NOVA, VM with their CAP_QUOTA", () => {
    const g = bootGenode(new Machine({ memory: "64M" }), { kernel: "nova" });
    const quota = Object.fromEntries([...g.core.services.values()].map((s) => [s.name, [s.capQuota, s.ramQuota]]));
    expect(quota).toEqual({
      PD: [13, 192 * 1024], CPU: [6, 36 * 1024], ROM: [3, 6 * 1024], LOG: [2, 8 * 1024], RM: [2, 64 * 1024],
      IO_MEM: [3, 6 * 1024], IO_PORT: [2, 6 * 1024], IRQ: [3, 6 * 1024], TRACE: [6, 10 * 1024], VM: [10, 5 * MiB],
    });
  });

  it("answers INSUFFICIENT_CAPS below a service's CAP_QUOTA and DENIED for a ROM module it does not have", () => {
    const g = bootGenode(new Machine({ memory: "64M" }), { kernel: "nova" });
    expect(g.core.policy("LOG", "ram_quota=8192, cap_quota=1")).toBe("INSUFFICIENT_CAPS");
    expect(g.core.policy("LOG", "ram_quota=8192, cap_quota=2")).toBe("OK");
    expect(g.core.policy("ROM", 'label="init -> x -> nonexistent", ram_quota=6144, cap_quota=3')).toBe("DENIED");
    expect(g.core.policy("ROM", 'label="init -> x -> ld.lib.so", ram_quota=6144, cap_quota=3')).toBe("OK");
    expect(g.core.policy("Nic", "ram_quota=8192, cap_quota=8")).toBe("DENIED");
  });

  it("refuses a kernel it does not know with a UsageError naming both it supports", () => {
    expect(() => bootGenode(new Machine(), { kernel: "sel4" as "nova" })).toThrow(/Genode runs on "nova" or "xen", not "sel4"/);
  });
});
