import { describe, expect, it } from "vitest";
import { Mtd, Status, type Nova } from "../../src/microkernel/index.js";
import { boot } from "./setup.js";

/** Two CPUs; PD 0x40 with local EC 0x41 on CPU 1 behind portal 0x42 (created with GF's XCPU right). */
function world(): ReturnType<typeof boot> {
  const b = boot({ cpus: 2, costs: "nehalem-2010" });
  const { nova } = b;
  nova.createPd(0x40, 0x20);
  nova.createEc(0x41, 0x40, { utcb: 0x1000n, cpu: 1 });
  nova.createPt(0x42, 0x40, 0x41, 0, 0x5000);
  return b;
}

/** A second caller on CPU 0: global EC 0x60 of the root PD, started through a STARTUP handler. */
function secondCaller(nova: Nova): ReturnType<Nova["ec"]> {
  nova.createEc(0x45, 0x20, { utcb: 0x7000n });
  nova.createPt(0x11e, 0x20, 0x45, Mtd.RIP_LEN, 0x7000);
  nova.createEc(0x60, 0x20, { utcb: 0x8000n, global: true, evt: 0x100 });
  nova.createSc(0x61, 0x20, 0x60, nova.qpd(1, 1000));
  nova.reply({ ec: nova.ec(0x45) });
  return nova.ec(0x60);
}

describe("XCPU calls (GF)", () => {
  it("reaches the callee one IPI later on its CPU, which pays the IPC; the reply wakes the caller by IPI", () => {
    const { m, nova } = world();
    const srv = nova.ec(0x41);
    const ipi = m.costs.cycles("ipi");
    nova.utcb().setMessage([1n, 2n, 3n]);
    const t0 = m.now(0);
    expect(nova.call(0x42)).toEqual({ blocked: true });
    expect(m.now(0) - t0).toBe(m.costs.cycles("syscall") + m.costs.cycles("kpti_switch"));
    expect(nova.state(srv).state).toBe("wait"); // the call is on its way
    expect(m.pendingEvents.find((e) => e.kind === "nova.xcpu")).toMatchObject({ cpu: 1, time: m.now(0) + ipi });
    m.run({ cycles: 2 * ipi });
    expect(nova.state(srv)).toMatchObject({ state: "ready", entered: { via: "portal" } });
    expect(nova.utcb(srv).message()).toEqual([1n, 2n, 3n]);
    const call = m.trace.records().find((r) => r.op === "call" && r.cpu === 1);
    expect(call?.cycles).toBe(m.costs.cycles("ipc_oneway") + m.costs.cycles("kpti_switch") + 3 * m.costs.cycles("utcb_word_copy"));
    nova.utcb(srv).setMessage([9n]);
    nova.reply({ ec: srv });
    const replied = m.now(1);
    expect(nova.state()).toMatchObject({ state: "ipi" });
    m.run({ cycles: 2 * ipi });
    expect(nova.state()).toMatchObject({ state: "ready", regs: { status: Status.SUCCESS } });
    expect(nova.utcb().message()).toEqual([9n]);
    expect(m.now(0)).toBeGreaterThanOrEqual(replied + ipi);
  });
  it("returns TIMEOUT with DB when the remote callee is busy; without DB the clone helps there and calls once it is free", () => {
    const { m, nova } = world();
    const srv = nova.ec(0x41);
    const other = secondCaller(nova);
    nova.call(0x42);
    m.run({ cycles: 10_000 });
    expect(nova.state(srv).state).toBe("ready");
    expect(nova.call(0x42, { ec: other, db: true })).toEqual({ blocked: true });
    m.run({ cycles: 10_000 });
    expect(nova.state(other)).toMatchObject({ state: "ready", regs: { status: Status.TIMEOUT } });
    nova.call(0x42, { ec: other });
    m.run({ cycles: 10_000 });
    expect(nova.state(other)).toMatchObject({ state: "help", on: { help: srv.id } });
    nova.reply({ ec: srv });
    expect(nova.state(srv).entered?.pt).toBeDefined();
    expect(nova.state(other)).toMatchObject({ state: "call", on: { call: srv.id } });
    expect(nova.k.ec(srv.id).caller).toBe(other.id);
  });
  it("returns TIMEOUT after the round trip when the callee died in the meantime", () => {
    const { m, nova } = world();
    nova.call(0x42);
    nova.k.ec(nova.ec(0x41).id).st = "dead"; // as kill() leaves it
    m.run({ cycles: 10_000 });
    expect(nova.state()).toMatchObject({ state: "ready", regs: { status: Status.TIMEOUT } });
  });
  it("counts the clone's time on the remote CPU as its cross time (sc_ctrl op 1), not against the caller's SC", () => {
    const { m, nova } = world();
    nova.registerCode(0x5000, function* () {
      yield nova.hc.lookup(0n);
    });
    const used = nova.k.sc(nova.k.d.rootSc).used;
    nova.call(0x42);
    m.run({ cycles: 100_000 });
    expect(nova.state()).toMatchObject({ state: "ready", regs: { status: Status.SUCCESS } });
    expect(nova.k.d.crossTime[1]).toBeGreaterThan(0);
    expect(nova.k.sc(nova.k.d.rootSc).used).toBe(used);
  });
  it("charges the clone's EC and SC to the caller's PD once", () => {
    const { m, nova } = world();
    const root = nova.k.pd(nova.k.d.rootPd);
    const before = root.quota.used;
    nova.call(0x42);
    m.run({ cycles: 10_000 });
    nova.reply({ ec: nova.ec(0x41) });
    m.run({ cycles: 10_000 });
    const after = root.quota.used;
    expect(after).toBeGreaterThan(before);
    nova.call(0x42);
    m.run({ cycles: 10_000 });
    expect(root.quota.used).toBe(after);
  });
});
