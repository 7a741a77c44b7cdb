import { describe, expect, it } from "vitest";
import { Status, qpd, identifier, Config, Item } from "../../src/microkernel/index.js";
import { boot, server } from "./setup.js";

describe("create_pd", () => {
  it("creates a PD whose capability copies the owner's mask (SUCCESS)", () => {
    const { nova } = boot();
    expect(nova.createPd(0x40, 0x20)).toBe(Status.SUCCESS);
    expect(nova.capSpace().rows.find((r) => r.selector === "0x40")).toMatchObject({ perm: "0x1f" });
  });
  it("delegates the CRD's object range into the new PD at the same selectors", () => {
    const { nova } = boot();
    nova.createSm(0x30, 0x20, 0);
    nova.createPd(0x40, 0x20, nova.crd.obj(0x30, 0, 0x1));
    expect(nova.lookup(nova.pd(0x40), nova.crd.obj(0x30))).toMatchObject({ base: 0x30, perm: 0x1 });
  });
  it("refuses a selector that is not null with BAD_CAP", () => {
    const { nova } = boot();
    expect(nova.createPd(0x21, 0x20)).toBe(Status.BAD_CAP);
  });
  it("refuses with BAD_CAP when the owner PD capability lacks the PD permission", () => {
    const { nova } = boot();
    nova.createPd(0x40, 0x20);
    nova.delegate(0x20, 0x20, 0n); // no-op
    nova.revoke(nova.crd.obj(0x40, 0, 0x1), { self: true });
    expect(nova.createPd(0x41, 0x40)).toBe(Status.BAD_CAP);
  });
  it("returns QUO_OOM when the owner's kernel-memory quota cannot cover the new PD (GF)", () => {
    const { nova } = boot();
    expect(nova.createPd(0x40, 0x20, 0n, { lower: 4 })).toBe(Status.SUCCESS);
    expect(nova.createPd(0x41, 0x40, 0n, { lower: 8 })).toBe(Status.QUO_OOM);
  });
});

describe("pd_ctrl (GF)", () => {
  it("moves quota between PDs with TRANSFER_QUOTA and reports it with PD_DEBUG", () => {
    const { nova } = boot();
    nova.createPd(0x40, 0x20, 0n, { lower: 4 });
    nova.createPd(0x41, 0x20, 0n, { lower: 4 });
    expect(nova.syscall(nova.hc.pdCtrl(0x40, 0, 0x41, 2)).status).toBe(Status.SUCCESS);
    const r = nova.syscall(nova.hc.pdCtrl(0x41, 2));
    expect(r.rsi).toBe(6n);
  });
  it("returns QUO_OOM when the source has too little free quota, and BAD_CAP for a non-PD", () => {
    const { nova } = boot();
    nova.createPd(0x40, 0x20, 0n, { lower: 4 });
    nova.createPd(0x41, 0x20, 0n, { lower: 4 });
    expect(nova.syscall(nova.hc.pdCtrl(0x40, 0, 0x41, 5)).status).toBe(Status.QUO_OOM);
    expect(nova.syscall(nova.hc.pdCtrl(0x21, 0, 0x41, 1)).status).toBe(Status.BAD_CAP);
  });
});

describe("create_ec", () => {
  it("creates a local EC that waits for a call (SUCCESS)", () => {
    const { nova } = boot();
    server(nova);
    expect(nova.state(nova.ec(0x41)).state).toBe("wait");
  });
  it("returns BAD_CPU for a CPU the machine lacks", () => {
    const { nova } = boot();
    expect(nova.createEc(0x41, 0x20, { utcb: 0x1000n, cpu: 3 })).toBe(Status.BAD_CPU);
  });
  it("returns BAD_PAR for a UTCB at or above USER_ADDR or on a page already used", () => {
    const { nova } = boot();
    expect(nova.createEc(0x41, 0x20, { utcb: 0x00007ffffffff000n })).toBe(Status.BAD_PAR);
    expect(nova.createEc(0x41, 0x20, { utcb: 0x1000n })).toBe(Status.SUCCESS);
    expect(nova.createEc(0x42, 0x20, { utcb: 0x1000n })).toBe(Status.BAD_PAR);
  });
  it("returns BAD_FTR for a vCPU when the HIP has neither VMX nor SVM", async () => {
    const { createMachine } = await import("../../src/index.js");
    const { bootNova } = await import("../../src/microkernel/index.js");
    const nova = bootNova(createMachine({ memory: "64M" }), { features: 0 });
    expect(nova.createEc(0x41, 0x20, { utcb: 0n })).toBe(Status.BAD_FTR);
  });
  it("returns BAD_CAP for an occupied selector or an owner that is not a PD", () => {
    const { nova } = boot();
    expect(nova.createEc(0x22, 0x20, { utcb: 0x1000n })).toBe(Status.BAD_CAP);
    expect(nova.createEc(0x41, 0x21, { utcb: 0x1000n })).toBe(Status.BAD_CAP);
  });
});

describe("create_sc and sc_ctrl", () => {
  it("returns BAD_PAR for priority 0, quantum 0 or priority 128", () => {
    const { nova } = boot();
    nova.createEc(0x41, 0x20, { utcb: 0x1000n, global: true, evt: 0x100 });
    expect(nova.createSc(0x42, 0x20, 0x41, qpd(0, 100))).toBe(Status.BAD_PAR);
    expect(nova.createSc(0x42, 0x20, 0x41, qpd(5, 0))).toBe(Status.BAD_PAR);
    expect(nova.createSc(0x42, 0x20, 0x41, qpd(128, 100))).toBe(Status.BAD_PAR);
  });
  it("refuses to bind an SC to a local EC with BAD_CAP", () => {
    const { nova } = boot();
    server(nova);
    expect(nova.createSc(0x50, 0x20, 0x41, qpd(5, 100))).toBe(Status.BAD_CAP);
  });
  it("makes a global EC raise STARTUP, and kills it when evt + 0x1e holds no portal", () => {
    const { nova } = boot();
    nova.createEc(0x41, 0x20, { utcb: 0x1000n, global: true, evt: 0x100 });
    expect(nova.createSc(0x42, 0x20, 0x41, qpd(5, 100))).toBe(Status.SUCCESS);
    expect(nova.state(nova.ec(0x41))).toMatchObject({ state: "dead", why: expect.stringContaining("PT not found") });
  });
  it("reports consumed time in µs via sc_ctrl, and BAD_CAP for a non-SC", () => {
    const { m, nova } = boot();
    const before = nova.syscall(nova.hc.scCtrl(0x22));
    m.run({ cycles: 0 });
    nova.createSm(0x30, 0x20);
    const after = nova.syscall(nova.hc.scCtrl(0x22));
    expect(after.status).toBe(Status.SUCCESS);
    expect(after.rdx! >= before.rdx!).toBe(true);
    expect(nova.syscall(nova.hc.scCtrl(0x21)).status).toBe(Status.BAD_CAP);
  });
});

describe("create_pt and pt_ctrl", () => {
  it("refuses to bind a portal to a global EC with BAD_CAP", () => {
    const { nova } = boot();
    expect(nova.createPt(0x42, 0x20, 0x21, 0, 0x1000)).toBe(Status.BAD_CAP);
  });
  it("sets the PID every later traversal delivers", () => {
    const { nova } = boot();
    server(nova);
    expect(nova.ptCtrl(0x42, 0xbeef)).toBe(Status.SUCCESS);
    nova.call(0x42);
    expect(nova.state(nova.ec(0x41)).entered?.regs.rdi).toBe(0xbeefn);
  });
  it("refuses pt_ctrl with BAD_CAP once the CT permission was revoked", () => {
    const { nova } = boot();
    server(nova);
    nova.revoke(nova.crd.obj(0x42, 0, 0x1), { self: true });
    expect(nova.ptCtrl(0x42, 1)).toBe(Status.BAD_CAP);
    expect(nova.lookup(undefined, nova.crd.obj(0x42)).perm).toBe(0x12);
  });
});

describe("create_sm and sm_ctrl", () => {
  it("counts up and down without blocking while the counter is positive", () => {
    const { nova } = boot();
    nova.createSm(0x30, 0x20, 1);
    expect(nova.down(0x30).status).toBe(Status.SUCCESS);
    expect(nova.up(0x30)).toBe(Status.SUCCESS);
    expect(nova.down(0x30).status).toBe(Status.SUCCESS);
  });
  it("sets the counter to zero on a down with ZC", () => {
    const { nova } = boot();
    nova.createSm(0x30, 0x20, 5);
    nova.down(0x30, { zero: true });
    expect(nova.down(0x30, { deadline: 1 }).status).toBe(Status.TIMEOUT);
  });
  it("blocks a down on zero until an up releases it (here the kernel's up for an interrupt)", () => {
    const { nova } = boot();
    nova.createEc(0x3e, 0x20, { utcb: 0x2000n });
    nova.createPt(0x3f, 0x20, 0x3e, 0, 0x6000);
    nova.utcb().crdDel = nova.crd.obj(0x80, 0);
    nova.call(0x3f);
    nova.utcb(nova.ec(0x3e)).setMessage([]).appendItem(nova.crd.obj(Config.NUM_CPU + 3, 0), 0, 1, Item.H);
    nova.reply({ ec: nova.ec(0x3e) });
    server(nova);
    nova.delegate(0x20, 0x40, nova.crd.obj(0x80));
    nova.call(0x42);
    const srv = nova.ec(0x41);
    expect(nova.syscall(nova.hc.smDown(0x80), srv)).toEqual({ blocked: true });
    expect(nova.state(srv)).toMatchObject({ state: "sm" });
    nova.interrupt(3);
    expect(nova.state(srv)).toMatchObject({ state: "ready", regs: { status: Status.SUCCESS } });
  });
  it("returns TIMEOUT when the absolute TSC deadline passes first", () => {
    const { m, nova } = boot();
    nova.createSm(0x30, 0x20, 0);
    expect(nova.down(0x30, { deadline: m.now(0) + 10_000 })).toEqual({ blocked: true });
    m.run({ cycles: 20_000 });
    expect(nova.state()).toMatchObject({ state: "ready", regs: { status: Status.TIMEOUT } });
  });
  it("refuses up without the UP permission and down without DOWN with BAD_CAP", () => {
    const { nova } = boot();
    nova.createSm(0x30, 0x20, 1);
    nova.revoke(nova.crd.obj(0x30, 0, 0x2), { self: true });
    expect(nova.down(0x30).status).toBe(Status.BAD_CAP);
    expect(nova.up(0x30)).toBe(Status.SUCCESS);
  });
  it("chains a GF signal SM to a blocking SM: an up on it wakes the blocking SM, si_ctrl reads value and count", () => {
    const { nova } = boot();
    nova.createSm(0x30, 0x20, 0);
    expect(nova.createSm(0x31, 0x20, 0x77, { chain: 0x30 })).toBe(Status.SUCCESS);
    expect(nova.createSm(0x32, 0x20, 0, { chain: 0x31 })).toBe(Status.BAD_PAR);
    nova.up(0x31);
    nova.up(0x31);
    expect(nova.down(0x30).status).toBe(Status.SUCCESS);
    const si = nova.down(0x31);
    expect(si).toMatchObject({ status: Status.SUCCESS, rsi: 0x77n, rdx: 2n });
  });
  it("ups the GSI semaphore on an interrupt, once the root obtained it from the kernel PD with an H item", () => {
    const { nova } = boot();
    nova.createEc(0x41, 0x20, { utcb: 0x1000n });
    nova.createPt(0x42, 0x20, 0x41, 0, 0x5000);
    nova.utcb().crdDel = nova.crd.obj(0x80, 0);
    nova.call(0x42);
    const srv = nova.ec(0x41);
    nova.utcb(srv).setMessage([]).appendItem(nova.crd.obj(Config.NUM_CPU + 3, 0), 0, 1, Item.H);
    nova.reply({ ec: srv });
    expect(nova.utcb().item(0)).toMatchObject({ delegated: true, crd: { base: 0x80 } });
    expect(nova.down(0x80, { deadline: 1 }).status).toBe(Status.TIMEOUT);
    nova.interrupt(3);
    expect(nova.down(0x80, { deadline: 1 }).status).toBe(Status.SUCCESS);
  });
  it("ignores the H bit for PDs other than the root PD", () => {
    const { nova } = boot();
    server(nova);
    nova.utcb().crdDel = nova.crd.obj(0x80, 0);
    nova.call(0x42);
    const srv = nova.ec(0x41);
    nova.utcb(srv).setMessage([]).appendItem(nova.crd.obj(Config.NUM_CPU + 3, 0), 0, 1, Item.H);
    nova.reply({ ec: srv });
    expect(nova.lookup(undefined, nova.crd.obj(0x80)).type).toBe(0);
  });
  it("answers pd_ctrl with an unknown op with BAD_PAR (GF slot 0xf is pd_ctrl, so no number is BAD_HYP)", () => {
    const { nova } = boot();
    expect(nova.syscall({ rdi: identifier(0xf, 1, 0x20) }).status).toBe(Status.BAD_PAR);
  });
});

describe("assign_gsi and assign_pci", () => {
  it("routes a GSI semaphore to a CPU, refusing BAD_CPU for a missing CPU and BAD_CAP for a non-GSI SM", () => {
    const { nova } = boot({ cpus: 2 });
    nova.createSm(0x30, 0x20);
    expect(nova.syscall(nova.hc.assignGsi(0x30, 0, 1)).status).toBe(Status.BAD_CAP);
    expect(nova.syscall(nova.hc.assignGsi(0x21, 0, 1)).status).toBe(Status.BAD_CAP);
  });
  it("returns BAD_FTR for assign_pci on a machine without an IOMMU, BAD_CAP for a non-PD", () => {
    const { nova } = boot();
    expect(nova.syscall(nova.hc.assignPci(0x20, 0, 0)).status).toBe(Status.BAD_FTR);
    expect(nova.syscall(nova.hc.assignPci(0x21, 0, 0)).status).toBe(Status.BAD_CAP);
  });
});
