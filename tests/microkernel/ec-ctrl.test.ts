import { describe, expect, it } from "vitest";
import { EcOp, Mtd, Status, Utcb, UtcbArch, type Nova, type SyscallResult } from "../../src/microkernel/index.js";
import { boot } from "./setup.js";

const D = Utcb.DATA;

/** Root PD: handler local EC 0x41 (CPU `hcpu`) behind STARTUP and RECALL portals at 0x100 + 0x1e/0x1f. */
function handlers(nova: Nova, hcpu = 0): void {
  nova.createEc(0x41, 0x20, { utcb: 0x1000n, cpu: hcpu });
  nova.createPt(0x11e, 0x20, 0x41, Mtd.RIP_LEN | Mtd.RSP, 0x5000);
  nova.createPt(0x11f, 0x20, 0x41, Mtd.RIP_LEN | Mtd.RSP, 0x5100);
}

/** A global EC 0x60 (event base 0x100, SP 0x9000) with SC 0x62, started: it runs user code, driven by the cell. */
function started(nova: Nova, cpu = 0): void {
  handlers(nova, cpu);
  nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true, evt: 0x100, sp: 0x9000n, cpu });
  nova.createSc(0x62, 0x20, 0x60, nova.qpd(1, 1000));
  nova.reply({ ec: nova.ec(0x41) });
  expect(nova.state(nova.ec(0x60)).state).toBe("ready");
}

const ec = (nova: Nova, sel: number, op: number, rsi: number | bigint = 0, rdx: number | bigint = 0, as?: Parameters<Nova["syscall"]>[1]): SyscallResult =>
  nova.syscall(nova.hc.ecCtrl(sel, op, rsi, rdx), as);

describe("ec_ctrl op 0 (recall)", () => {
  it("pends a recall and, with RSI = 1, copies the EC's state into the caller's UTCB (SUCCESS)", () => {
    const { nova } = boot();
    nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true, sp: 0x9000n });
    expect(ec(nova, 0x60, EcOp.RECALL, 1).status).toBe(Status.SUCCESS);
    const u = nova.utcb().words;
    expect(u[D + UtcbArch.MTD]).toBe(BigInt(Mtd.ACDB | Mtd.BSD | Mtd.R8_R15 | Mtd.RSP | Mtd.RIP_LEN | Mtd.RFLAGS | Mtd.QUAL));
    expect(u[D + UtcbArch.RSP]).toBe(0x9000n);
    expect(u[D + UtcbArch.QUAL0]).toBe(0n);
    expect(nova.k.ec(nova.ec(0x60).id).recall).toBe(true);
  });
  it("returns TIMEOUT when the state is asked of an EC running on another CPU, after sending the IPI", () => {
    const { m, nova } = boot({ cpus: 2 });
    started(nova, 1);
    expect(ec(nova, 0x60, EcOp.RECALL, 1).status).toBe(Status.TIMEOUT);
    expect(m.pendingEvents.filter((e) => e.kind === "nova.recall")).toHaveLength(1);
    // The hazard is pending now: no second IPI, and the state comes back.
    expect(ec(nova, 0x60, EcOp.RECALL, 1).status).toBe(Status.SUCCESS);
    expect(m.pendingEvents.filter((e) => e.kind === "nova.recall")).toHaveLength(1);
  });
  it("refuses with BAD_CAP, changing nothing, when the capability lacks CT", () => {
    const { m, nova } = boot();
    nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true });
    nova.revoke(nova.crd.obj(0x60, 0, 0x1), { self: true });
    const h = m.stateHash();
    expect(ec(nova, 0x60, EcOp.RECALL).status).toBe(Status.BAD_CAP);
    expect(m.stateHash()).toBe(h);
  });
});

describe("ec_ctrl ops 1 and 3 (yield, reschedule)", () => {
  it("yield puts the caller's SC at the tail of its priority; reschedule puts it back at the head", () => {
    const { nova } = boot();
    started(nova);
    const q = nova.k.d.cpus[0]!.prio[1]!;
    const root = nova.k.d.rootSc;
    expect(q[0]).toBe(root);
    expect(ec(nova, 0, EcOp.YIELD).status).toBe(Status.SUCCESS);
    expect(q[q.length - 1]).toBe(root);
    expect(ec(nova, 0, EcOp.RESCHEDULE).status).toBe(Status.SUCCESS);
    expect(q[0]).toBe(root);
  });
});

describe("ec_ctrl op 2 (donate the SC to a lock holder)", () => {
  it("runs the EC on the caller's SC until its next kernel entry; the caller then resumes with SUCCESS", () => {
    const { nova } = boot();
    started(nova);
    const t = nova.ec(0x60);
    nova.utcb(t).words[Utcb.TLS] = 7n;
    expect(ec(nova, 0x60, EcOp.DONATE_SC, 7)).toEqual({ blocked: true });
    expect(nova.state()).toMatchObject({ state: "help", on: { help: t.id } });
    expect(ec(nova, 0x60, EcOp.TIME, 0, 0, t).status).toBe(Status.SUCCESS);
    expect(nova.state()).toMatchObject({ state: "ready", regs: { status: Status.SUCCESS } });
  });
  it("refuses a stale TLS value with BAD_PAR, another CPU with BAD_CPU and a non-EC with BAD_CAP", () => {
    const { m, nova } = boot({ cpus: 2 });
    started(nova);
    nova.utcb(nova.ec(0x60)).words[Utcb.TLS] = 7n;
    nova.createEc(0x70, 0x20, { utcb: 0x8000n, global: true, cpu: 1 });
    const h = m.stateHash();
    expect(ec(nova, 0x60, EcOp.DONATE_SC, 6).status).toBe(Status.BAD_PAR);
    expect(ec(nova, 0x70, EcOp.DONATE_SC, 0).status).toBe(Status.BAD_CPU);
    expect(ec(nova, 0x62, EcOp.DONATE_SC, 7).status).toBe(Status.BAD_CAP);
    expect(ec(nova, 0x21, EcOp.DONATE_SC, 0).status).toBe(Status.BAD_PAR); // itself
    expect(m.stateHash()).toBe(h);
  });
});

describe("ec_ctrl op 4 (migrate)", () => {
  /** 0x60 on CPU 0 raised RECALL into handler 0x41; PT 0x61 leads to EC 0x50 on CPU 1. */
  function recalled(nova: Nova): void {
    started(nova);
    nova.createEc(0x50, 0x20, { utcb: 0x4000n, cpu: 1 });
    nova.createPt(0x61, 0x20, 0x50, 0, 0x5200);
    expect(ec(nova, 0x60, EcOp.RECALL).status).toBe(Status.SUCCESS);
    ec(nova, 0x60, EcOp.TIME, 0, 0, nova.ec(0x60)); // back to user mode: RECALL is raised
    expect(nova.state(nova.ec(0x41)).entered).toMatchObject({ event: 0x1f });
  }
  it("replaces EC sel and SC sel + 2 with new ones on the target CPU and gives the PD the EC at evt + CRD base", () => {
    const { nova } = boot({ cpus: 2 });
    recalled(nova);
    const old = nova.ec(0x60).id;
    expect(ec(nova, 0x60, EcOp.MIGRATE, 1, nova.crd.obj(0x1c, 0, 0x1), nova.ec(0x41)).status).toBe(Status.SUCCESS);
    const moved = nova.ec(0x60);
    expect(moved.id).not.toBe(old);
    expect(nova.state(moved)).toMatchObject({ state: "ready", cpu: 1 });
    expect(nova.k.sc(nova.k.ec(moved.id).ownSc).cpu).toBe(1);
    expect(nova.lookup(undefined, nova.crd.obj(0x11c))).toMatchObject({ base: 0x11c, perm: 0x1 });
    expect(nova.k.obj(old)).toBeUndefined();
  });
  it("refuses with BAD_PAR without a reply capability, for another EC than the caller, or a non-object CRD", () => {
    const { m, nova } = boot({ cpus: 2 });
    recalled(nova);
    const h = m.stateHash();
    expect(ec(nova, 0x60, EcOp.MIGRATE, 1, nova.crd.obj(0x1c, 0, 1)).status).toBe(Status.BAD_PAR); // root holds no reply capability
    expect(ec(nova, 0x50, EcOp.MIGRATE, 1, nova.crd.obj(0x1c, 0, 1), nova.ec(0x41)).status).toBe(Status.BAD_PAR);
    expect(ec(nova, 0x60, EcOp.MIGRATE, 1, nova.crd.mem(0x1c, 0, 1), nova.ec(0x41)).status).toBe(Status.BAD_PAR);
    expect(ec(nova, 0x60, EcOp.MIGRATE, 9, nova.crd.obj(0x1c, 0, 1), nova.ec(0x41)).status).toBe(Status.BAD_PAR); // no CPU 9
    expect(m.stateHash()).toBe(h);
  });
});

describe("ec_ctrl op 5 (execution time)", () => {
  it("reports the cycles an EC ran as µs in RSI:RDX, and BAD_CAP for a non-EC", () => {
    const { m, nova } = boot();
    nova.registerCode(0x7000, function* () {
      for (let i = 0; i < 5; i++) yield nova.hc.smUp(0x30);
    });
    nova.createSm(0x30, 0x20);
    handlers(nova);
    nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true, evt: 0x100 });
    nova.createSc(0x62, 0x20, 0x60, nova.qpd(5, 1000));
    nova.utcb(nova.ec(0x41)).words[D + UtcbArch.RIP] = 0x7000n;
    nova.utcb(nova.ec(0x41)).words[D + UtcbArch.MTD] = BigInt(Mtd.RIP_LEN);
    nova.reply({ ec: nova.ec(0x41) });
    m.run({ cycles: 1_000_000 });
    const ran = nova.k.ec(nova.ec(0x60).id).time;
    expect(ran).toBeGreaterThan(0);
    const r = ec(nova, 0x60, EcOp.TIME);
    expect((r.rsi! << 32n) | r.rdx!).toBe(BigInt(Math.floor(ran / (m.costs.hz / 1e6))));
    expect(ec(nova, 0x30, EcOp.TIME).status).toBe(Status.BAD_CAP);
  });
});

describe("ec_ctrl ops 6 and 7 (vCPU state)", () => {
  it("gets the vCPU state the MTD in RSI selects, and sets it from the caller's UTCB", () => {
    const { nova } = boot();
    nova.createEc(0x60, 0x20, { utcb: 0n, sp: 0x9000n });
    expect(ec(nova, 0x60, EcOp.GET_VCPU_STATE, Mtd.RIP_LEN | Mtd.RSP).status).toBe(Status.SUCCESS);
    const u = nova.utcb().words;
    expect(u[D + UtcbArch.MTD]).toBe(BigInt(Mtd.RIP_LEN | Mtd.RSP));
    expect(u[D + UtcbArch.RSP]).toBe(0x9000n);
    const v = nova.k.ec(nova.ec(0x60).id);
    expect(v.recall).toBe(true);
    u[D + UtcbArch.MTD] = BigInt(Mtd.RIP_LEN);
    u[D + UtcbArch.RIP] = 0x1234n;
    expect(ec(nova, 0x60, EcOp.SET_VCPU_STATE, 1).status).toBe(Status.SUCCESS);
    expect(v.ip).toBe(0x1234n);
    expect(v.recall).toBe(true); // RSI = 1 keeps the recall
    expect(ec(nova, 0x60, EcOp.SET_VCPU_STATE, 0).status).toBe(Status.SUCCESS);
    expect(v.recall).toBe(false);
  });
  it("refuses a thread with BAD_CAP and a vCPU of another CPU with BAD_CPU, changing nothing", () => {
    const { m, nova } = boot({ cpus: 2 });
    nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true });
    nova.createEc(0x61, 0x20, { utcb: 0n, cpu: 1 });
    const h = m.stateHash();
    expect(ec(nova, 0x60, EcOp.GET_VCPU_STATE, Mtd.RSP).status).toBe(Status.BAD_CAP);
    expect(ec(nova, 0x61, EcOp.SET_VCPU_STATE).status).toBe(Status.BAD_CPU);
    expect(m.stateHash()).toBe(h);
  });
});

describe("ec_ctrl op 8 and beyond", () => {
  it("answers MSR access with BAD_CAP (no MSR-access SM in the S14 boot state) and op 9 with BAD_PAR", () => {
    const { nova } = boot();
    expect(ec(nova, 0x21, EcOp.MSR).status).toBe(Status.BAD_CAP);
    expect(ec(nova, 0x21, 9).status).toBe(Status.BAD_PAR);
  });
});
