import { describe, expect, it } from "vitest";
import { createScenario, SCENARIOS, WORKLOADS, type ScenarioName, type WorkloadName } from "../../src/scenarios/index.js";
import { createMachine } from "../../src/index.js";

const WL = Object.keys(WORKLOADS) as WorkloadName[];
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("scenarios × workloads", () => {
  for (const s of SCENARIOS) {
    for (const w of WL) {
      it(`${s} runs ${w} to completion with a latency and a TCB per participant`, () => {
        const r = createScenario(s).run(WORKLOADS[w], { iterations: 6, seed: 11 });
        expect(r.latencies).toHaveLength(6);
        for (const l of r.latencies) expect(l).toBeGreaterThan(0);
        expect(r.tcb.length).toBeGreaterThan(0);
        for (const t of r.tcb) expect(t.total).toBeGreaterThan(10_000);
        expect(new Set(r.trace.map((x) => x.iteration))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
      });
    }
  }
  it("refuses an unknown scenario with a usage error naming the known ones", () => {
    expect(() => createScenario("nope" as ScenarioName)).toThrow(/nova-genode/);
  });
});

describe("determinism", () => {
  for (const s of SCENARIOS) {
    it(`${s} gives the same latencies and trace for the same seed`, () => {
      const run = () => createScenario(s).run(WORKLOADS["block-4k-random"], { iterations: 5, seed: 4 });
      const [a, b] = [run(), run()];
      expect(a.latencies).toEqual(b.latencies);
      expect(a.trace.map((r) => `${r.op}:${r.cycles}`)).toEqual(b.trace.map((r) => `${r.op}:${r.cycles}`));
      expect(a.tcb.map((t) => t.total)).toEqual(b.tcb.map((t) => t.total));
    });
  }
});

describe("TCB from the live systems", () => {
  it("puts a Genode/NOVA application orders of magnitude below one on Xen + Linux Dom0, NOVA ≈ 10 KLOC", () => {
    const nova = createScenario("nova-genode").run(WORKLOADS["rpc-ping-pong"], { iterations: 1, seed: 1 }).tcb[0]!;
    const xen = createScenario("xen-linux-dom0").run(WORKLOADS["rpc-ping-pong"], { iterations: 1, seed: 1 }).tcb[0]!;
    expect(xen.total / nova.total).toBeGreaterThan(50);
    expect(nova.byCategory.kernel).toBeGreaterThan(8_000);
    expect(nova.byCategory.kernel).toBeLessThan(16_000);
    expect(xen.ids).toContain("linux-ubuntu-14.04");
    expect(xen.ids).toContain("qemu");
    expect(nova.ids).not.toContain("xen-4.22");
  });
  it("replaces Linux by Genode in genode-dom0 and adds the routed block driver to the disk user's TCB", () => {
    const r = createScenario("genode-dom0").run(WORKLOADS["block-4k-random"], { iterations: 1, seed: 1 }).tcb[0]!;
    expect(r.ids).not.toContain("linux-ubuntu-14.04");
    expect(r.ids).toEqual(expect.arrayContaining(["xen-4.22", "genode-core", "xenstored-c-4.22"]));
    expect(r.members.some((m) => m.includes("ram_block"))).toBe(true);
  });
  it("adds the Xen world under genode-domu's Genode and nothing of Linux to genode-on-xen", () => {
    const domu = createScenario("genode-domu").run(WORKLOADS["rpc-ping-pong"], { iterations: 1, seed: 1 }).tcb[0]!;
    const onXen = createScenario("genode-on-xen").run(WORKLOADS["rpc-ping-pong"], { iterations: 1, seed: 1 }).tcb[0]!;
    expect(domu.ids).toEqual(expect.arrayContaining(["nova-genode", "xen-4.22", "linux-ubuntu-14.04"]));
    expect(onXen.ids).toEqual(expect.arrayContaining(["xen-4.22", "genode-core", "genode-init"]));
    expect(onXen.ids).not.toContain("linux-ubuntu-14.04");
    expect(onXen.ids).not.toContain("nova-genode");
  });
});

describe("latency is the sum of the primitives on the path", () => {
  for (const s of ["genode-on-xen", "xen-linux-dom0", "nova-genode"] as const) {
    it(`${s}: one operation's latency equals the cycles of its trace records, each charged from named primitives`, () => {
      const r = createScenario(s).run(WORKLOADS["rpc-ping-pong"], { iterations: 2, seed: 5 });
      const recs = r.trace.filter((x) => x.iteration === 1);
      expect(recs.reduce((n, x) => n + x.cycles, 0)).toBe(r.latencies[1]);
      for (const x of recs) expect((x.primsLo | x.primsHi) !== 0).toBe(true);
    });
  }
  it("base-xen: an RPC round trip costs at least two event-channel sends plus its hypercalls", () => {
    const sc = createScenario("genode-on-xen");
    const r = sc.run(WORKLOADS["rpc-ping-pong"], { iterations: 1, seed: 2 });
    const c = sc.machine.costs;
    const sends = r.trace.filter((x) => x.op.includes("EVTCHNOP_send"));
    expect(sends).toHaveLength(2);
    const minSend = Math.min(c.cycles("evtchn_send_local"), c.cycles("evtchn_send_remote"));
    expect(r.latencies[0]).toBeGreaterThanOrEqual(2 * minSend + 2 * c.cycles("xen_pv_hypercall"));
    expect(r.trace.some((x) => x.layer === "genode" && x.op === "marshal")).toBe(true);
  });
  it("base-xen through m.bootGenode({ kernel: \"xen\" }): components log, rpcCost splits Genode and Xen", () => {
    const m = createMachine({ cpus: 2, memory: "256M", seed: 1 });
    const g = m.bootGenode({ kernel: "xen" });
    g.start(`<config><parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>
      <default-route><any-service><parent/></any-service></default-route><default caps="100"/>
      <start name="test-log"><resource name="RAM" quantum="1M"/></start></config>`);
    expect(g.log).toContain("[init -> test-log] Test done.");
    const cost = g.rpcCost(2, 0);
    expect(cost.layers.xen).toBeGreaterThan(cost.layers.genode!);
    expect(cost.total).toBe(cost.layers.xen! + cost.layers.genode!);
    expect(g.tcbOf("init -> test-log").ids).toContain("xen-4.22");
  });
});

describe("measured medians", () => {
  it("orders RPC latency: Genode on NOVA below every Xen-based path", () => {
    const med = (s: ScenarioName) => median(createScenario(s).run(WORKLOADS["rpc-ping-pong"], { iterations: 3, seed: 1 }).latencies);
    const nova = med("nova-genode");
    expect(nova).toBeLessThan(med("genode-on-xen"));
    expect(nova).toBeLessThan(med("xen-linux-dom0"));
  });
});
