import { describe, expect, it } from "vitest";
import { Mtd, Status, UtcbArch, Utcb } from "../../src/microkernel/index.js";
import { boot } from "./setup.js";

function handler(nova: ReturnType<typeof boot>["nova"], evt: number, vector: number, mtd: number) {
  nova.createEc(0x41, 0x20, { utcb: 0x1000n });
  nova.createPt(evt + vector, 0x20, 0x41, mtd, 0x5000);
  return nova.ec(0x41);
}

describe("Events", () => {
  it("delivers a page fault as a donating call through evt + 0xe with QUAL = [error, address]", () => {
    const { nova } = boot();
    const h = handler(nova, 0, 0xe, Mtd.QUAL | Mtd.RIP_LEN);
    nova.pageFault(undefined, 0xdead000n, 6n);
    expect(nova.state().state).toBe("call");
    const u = nova.utcb(h).words;
    expect(u[Utcb.DATA + UtcbArch.QUAL0]).toBe(6n);
    expect(u[Utcb.DATA + UtcbArch.QUAL1]).toBe(0xdead000n);
    expect(nova.state(h).entered).toMatchObject({ via: "event", event: 0xe });
    nova.reply({ ec: h });
    expect(nova.state()).toMatchObject({ state: "ready", regs: { status: Status.SUCCESS } });
  });
  it("kills the EC when evt + vector holds no portal", () => {
    const { nova } = boot();
    nova.exception(undefined, 0x3);
    expect(nova.state()).toMatchObject({ state: "dead", why: expect.stringContaining("PT not found") });
  });
  it("starts a global EC at the IP its STARTUP handler replies with", () => {
    const { nova } = boot();
    const h = handler(nova, 0x100, 0x1e, Mtd.RIP_LEN | Mtd.RSP);
    nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true, evt: 0x100, sp: 0x9000n });
    nova.createSc(0x61, 0x20, 0x60, nova.qpd(3, 100));
    expect(nova.utcb(h).words[Utcb.DATA + UtcbArch.RSP]).toBe(0x9000n);
    nova.utcb(h).words[Utcb.DATA + UtcbArch.RIP] = 0x4242n;
    nova.reply({ ec: h });
    expect(nova.state(nova.ec(0x60))).toMatchObject({ state: "ready", entered: { via: "startup", ip: 0x4242n } });
  });
  it("raises RECALL at evt + 0x1f after ec_ctrl", () => {
    const { nova } = boot();
    const h = handler(nova, 0, 0x1f, Mtd.RIP_LEN);
    expect(nova.syscall(nova.hc.ecCtrl(0x21)).status).toBe(Status.SUCCESS);
    expect(nova.state()).toMatchObject({ state: "call", on: { call: h.id } });
    expect(nova.syscall(nova.hc.ecCtrl(0x22), h).status).toBe(Status.BAD_CAP);
  });
  it("delivers a vCPU exit through evt + exit reason and charges a VM exit", () => {
    const { m, nova } = boot();
    handler(nova, 0x200, 0xfe, Mtd.RIP_LEN);
    nova.createPt(0x200 + 0x0a, 0x20, 0x41, Mtd.RIP_LEN | Mtd.QUAL, 0x5100);
    nova.createEc(0x60, 0x20, { utcb: 0n, evt: 0x200 });
    nova.createSc(0x61, 0x20, 0x60, nova.qpd(3, 100));
    const h = nova.ec(0x41);
    nova.reply({ ec: h });
    const vcpu = nova.ec(0x60);
    const t = m.now(0);
    nova.vmExit(vcpu, 0x0a);
    expect(nova.state(h).entered).toMatchObject({ event: 0x0a });
    expect(m.now(0) - t).toBe(m.costs.cycles("vmexit") + m.costs.cycles("ipc_oneway"));
  });
});
