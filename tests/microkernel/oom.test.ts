import { describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../src/machine/index.js";
import { Status, type Nova } from "../../src/microkernel/index.js";
import { boot } from "./setup.js";

/**
 * Root: SM 0x30 (with `driver`, also SM 0x31 and a running global EC 0x60), OOM handler local EC 0x51 behind portal 0x42 (PID 0x77) when `oomPortal`. PD 0x40
 * (3 pages of quota, holding SM 0x30 too) gets local EC 0x41 — whose OOM portal is 0x42, the
 * selector after it — and portal 0x43 to it. Root calls 0x43: 0x41 runs, with less than a page left.
 */
function world(oomPortal: boolean, driver = false): { nova: Nova; m: ReturnType<typeof boot>["m"] } {
  const b = boot();
  const { nova } = b;
  nova.createSm(0x30, 0x20);
  if (driver) {
    // SM 0x31, and a global EC 0x60 of the root PD the cell can act for once root is blocked.
    nova.createSm(0x31, 0x20);
    nova.createEc(0x45, 0x20, { utcb: 0x7000n });
    nova.createPt(0x11e, 0x20, 0x45, 0, 0x7000);
    nova.createEc(0x60, 0x20, { utcb: 0x8000n, global: true, evt: 0x100 });
    nova.createSc(0x61, 0x20, 0x60, nova.qpd(1, 1000));
    nova.reply({ ec: nova.ec(0x45) });
  }
  if (oomPortal) {
    nova.createEc(0x51, 0x20, { utcb: 0x6000n });
    nova.createPt(0x42, 0x20, 0x51, 0, 0x6000);
    nova.ptCtrl(0x42, 0x77);
  }
  expect(nova.createPd(0x40, 0x20, nova.crd.obj(0x30, 0, 0x3), { lower: 3 })).toBe(Status.SUCCESS);
  expect(nova.createEc(0x41, 0x40, { utcb: 0x1000n })).toBe(Status.SUCCESS);
  expect(nova.createPt(0x43, 0x40, 0x41, 0, 0x5000)).toBe(Status.SUCCESS);
  nova.call(0x43);
  return b;
}

describe("OOM portal (GF)", () => {
  it("returns QUO_OOM, changing nothing, when the PD lacks a page of headroom and the EC has no OOM portal", () => {
    const { m, nova } = world(false);
    const ec = nova.ec(0x41);
    const h = m.stateHash();
    expect(nova.syscall(nova.hc.smUp(0x30), ec).status).toBe(Status.QUO_OOM);
    expect(m.stateHash()).toBe(h);
  });
  it("calls the OOM portal at create_ec's sel + 1 with RDI = RSI = PID, RDX = OOM_SELF; after the reply the hypercall runs again", () => {
    const { nova } = world(true);
    const ec = nova.ec(0x41);
    const handler = nova.ec(0x51);
    expect(nova.syscall(nova.hc.smUp(0x30), ec)).toEqual({ blocked: true });
    expect(nova.state(ec)).toMatchObject({ state: "call", on: { call: handler.id } });
    expect(nova.state(handler).entered).toMatchObject({ via: "oom", pid: 0x77n, regs: { rdi: 0x77n, rsi: 0x77n, rdx: 4n } });
    // The handler (Genode core's pager) moves 2 pages of quota into the PD and replies.
    expect(nova.syscall(nova.hc.pdCtrl(0x20, 0, 0x40, 2), handler).status).toBe(Status.SUCCESS);
    nova.reply({ ec: handler });
    expect(nova.state(ec)).toMatchObject({ state: "ready", regs: { status: Status.SUCCESS } });
    expect(nova.k.pd(nova.pd(0x40).id).quota.limit).toBe(5 * PAGE_SIZE);
    const sm = nova.k.mdb.phys[nova.k.pd(nova.k.d.rootPd).obj.get(0x30)!]!;
    expect(nova.k.obj(sm)).toMatchObject({ kind: "sm", count: 1 });
  });
  it("runs the hypercall again only when the handler's reply(sm) parking ends", () => {
    const { nova } = world(true, true);
    const ec = nova.ec(0x41);
    const handler = nova.ec(0x51);
    const other = nova.ec(0x60);
    nova.syscall(nova.hc.smUp(0x30), ec);
    nova.reply({ ec: handler, sm: 0x31 }); // nothing freed yet: park the caller
    expect(nova.state(ec).state).toBe("sm");
    expect(nova.syscall(nova.hc.pdCtrl(0x20, 0, 0x40, 2), other).status).toBe(Status.SUCCESS);
    expect(nova.state(ec).state).toBe("sm");
    expect(nova.syscall(nova.hc.smUp(0x31), other).status).toBe(Status.SUCCESS);
    expect(nova.state(ec)).toMatchObject({ state: "ready", regs: { status: Status.SUCCESS } });
  });
  it("calls the handler again when the quota is still short after its reply", () => {
    const { nova } = world(true);
    const ec = nova.ec(0x41);
    const handler = nova.ec(0x51);
    nova.syscall(nova.hc.smUp(0x30), ec);
    nova.reply({ ec: handler });
    expect(nova.state(ec)).toMatchObject({ state: "call", on: { call: handler.id } });
    expect(nova.state(handler).entered).toMatchObject({ via: "oom" });
  });
});
