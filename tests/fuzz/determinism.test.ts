/**
 * Determinism (issue 10 item 3): the emulator never reads host time or host randomness, in the
 * boots and workloads of every layer, not only the bare machine (tests/machine/machine.test.ts).
 *
 * Snapshot → run → restore → run identity is tested per layer elsewhere: NOVA in
 * tests/microkernel/ipc.test.ts ("restores a snapshot exactly"), the Xen hypervisor in
 * tests/xen/property.test.ts, XenStore, drivers and toolstack in tests/xen/system/snapshot.test.ts;
 * and Genode (its journal replayed from the boot snapshot) in tests/genode/snapshot.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createMachine } from "../../src/index.js";
import { Machine } from "../../src/machine/index.js";
import { bootGenode } from "../../src/genode/index.js";
import { createScenario, WORKLOADS } from "../../src/scenarios/index.js";
import { boot as bootNova, server } from "../microkernel/setup.js";
import { connect } from "../xen/helpers.js";
import { withoutHostTimeOrRandomness } from "../support/host-time-trap.js";

describe("no host time or randomness in any layer", () => {
  it("NOVA: boot, PDs, portals, semaphores, delegation and revocation", () => {
    const trace = withoutHostTimeOrRandomness(() => {
      const { m, nova } = bootNova({ memory: "16M" });
      server(nova);
      expect(nova.createSm(0x30, 0x20, 1)).toBe(0);
      expect(nova.up(0x30)).toBe(0);
      expect(nova.delegate(0x20, 0x40, nova.crd.obj(0x30, 0, 0x1f))).toBe(0);
      expect(nova.revoke(nova.crd.obj(0x30, 0, 0x1f))).toBe(0);
      m.run({ cycles: 100_000 });
      m.restore(m.snapshot());
      return m.trace.hash();
    });
    expect(trace).toBe(withoutHostTimeOrRandomness(() => {
      const { m, nova } = bootNova({ memory: "16M" });
      server(nova);
      nova.createSm(0x30, 0x20, 1);
      nova.up(0x30);
      nova.delegate(0x20, 0x40, nova.crd.obj(0x30, 0, 0x1f));
      nova.revoke(nova.crd.obj(0x30, 0, 0x1f));
      m.run({ cycles: 100_000 });
      m.restore(m.snapshot());
      return m.trace.hash();
    }));
  });

  it("Xen with XenStore: boot, xl create, event channels, ring traffic, snapshot and restore", () => {
    const run = () => withoutHostTimeOrRandomness(() => {
      const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
      const xen = m.bootXen();
      xen.files.set("g.cfg", `name = "g"\nmemory = 16\nvcpus = 1\nvif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\ndisk = [ '/dev/vg/g,raw,xvda,rw' ]\n`);
      expect(xen.xl(["create", "g.cfg"]).status).toBe(0);
      const a = xen.createDomain();
      connect(xen, 0, a);
      xen.system.bridgeMode = "echo";
      const nf = xen.system.domains.get(1)!.kernel!.netfronts.get(0)!;
      for (let i = 0; i < 5; i++) nf.send(Uint8Array.of(i, 1, 2, 3));
      xen.system.settle();
      expect(nf.received.length).toBe(5);
      m.restore(m.snapshot());
      return [m.trace.hash(), m.stateHash()];
    });
    expect(run()).toEqual(run());
  });

  it("Genode on NOVA: boot, init with children and LOG sessions, reconfiguration", () => {
    const PP = `<parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>`;
    const start = (name: string, n: number) => `<start name="${name}" caps="100" ram="1M"><binary name="dummy"/><config><log string="${name} up"/><create_log_connections count="${n}"/></config><route><any-service><parent/></any-service></route></start>`;
    const run = () => withoutHostTimeOrRandomness(() => {
      const m = new Machine({ memory: "64M" });
      const g = bootGenode(m, { kernel: "nova", caps: 5000 });
      g.start(`<config>${PP}${start("a", 2)}${start("b", 1)}</config>`);
      g.reconfigure(`<config>${PP}${start("b", 2)}</config>`);
      expect(g.conserved()).toBe(true);
      m.run({ cycles: 100_000 });
      return [m.trace.hash(), g.log.join("\n")];
    });
    const first = run();
    expect(first[1]).toContain("a up");
    expect(run()).toEqual(first);
  });

  it("a whole scenario: genode-on-xen running rpc-ping-pong", () => {
    const run = () => withoutHostTimeOrRandomness(() => {
      const s = createScenario("genode-on-xen");
      const r = s.run(WORKLOADS["rpc-ping-pong"], { iterations: 3, seed: 2 });
      return [s.machine.trace.hash(), JSON.stringify(r, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v))];
    });
    expect(run()).toEqual(run());
  });
});
