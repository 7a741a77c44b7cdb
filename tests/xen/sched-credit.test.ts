import { describe, expect, it } from "vitest";
import {
  __HYPERVISOR_sched_op, SCHEDOP_block, XEN_DOMCTL_SCHEDOP_getinfo, XEN_DOMCTL_SCHEDOP_putinfo, XEN_DOMCTL_SCHEDOP_putvcpuinfo,
  XEN_DOMCTL_scheduler_op, XEN_EINVAL, XEN_EPERM, XEN_SCHEDULER_CREDIT, XEN_SCHEDULER_CREDIT2, type Xen,
} from "../../src/xen/index.js";
import { boot, domctl, modelHash } from "./helpers.js";

const MS = 3_400_000; // cycles per ms at 3.4 GHz (skylake)

function schedOp(xen: Xen, caller: number, domid: number, cmd: number, credit?: { weight?: number; cap?: number }, sched: number = XEN_SCHEDULER_CREDIT) {
  const scheduler_op: Record<string, unknown> = { sched_id: sched, cmd, u: { credit: credit ?? {} } };
  const rc = domctl(xen, caller, XEN_DOMCTL_scheduler_op, domid, { scheduler_op }).rc;
  return { rc, credit: (scheduler_op.u as { credit: { weight: number; cap: number } }).credit };
}

/** A CPU-bound guest program: 0.1 ms bursts for ever. */
function spin(xen: Xen): void {
  xen.m.programs.register("spin", function* () {
    for (;;) yield { compute: MS / 10 };
  });
}

/**
 * CPU-bound domains of the given weights/caps on a 1-CPU machine: their shares of the CPU over `ms`,
 * measured after 300 ms of warm-up (every vCPU starts with no credit and off the active list).
 */
function shares(doms: { weight?: number; cap?: number }[], ms: number): number[] {
  const { m, xen } = boot(1);
  spin(xen);
  const ids = doms.map((o) => {
    const d = xen.createDomain();
    expect(schedOp(xen, 0, d, XEN_DOMCTL_SCHEDOP_putinfo, { weight: o.weight ?? 0, cap: o.cap ?? 0xffff }).rc).toBe(0);
    xen.run(d, 0, "spin");
    return d;
  });
  m.run({ cycles: 300 * MS });
  const start = ids.map((d) => xen.vcpu(d, 0)!.runtime);
  m.run({ cycles: ms * MS });
  return ids.map((d, i) => (xen.vcpu(d, 0)!.runtime - start[i]!) / (ms * MS));
}

describe("credit scheduler (XEN_DOMCTL_scheduler_op, credit1)", () => {
  it("reports weight 256 and cap 0 by default; putinfo leaves weight 0 and cap 0xffff unchanged", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    expect(schedOp(xen, 0, d, XEN_DOMCTL_SCHEDOP_getinfo).credit).toEqual({ weight: 256, cap: 0 });
    expect(schedOp(xen, 0, d, XEN_DOMCTL_SCHEDOP_putinfo, { weight: 512, cap: 0xffff }).rc).toBe(0);
    expect(schedOp(xen, 0, d, XEN_DOMCTL_SCHEDOP_putinfo, { weight: 0, cap: 40 }).rc).toBe(0);
    expect(schedOp(xen, 0, d, XEN_DOMCTL_SCHEDOP_getinfo).credit).toEqual({ weight: 512, cap: 40 });
  });

  it("refuses another scheduler's id and per-vCPU commands with -EINVAL, and unprivileged callers with -EPERM, changing nothing", () => {
    const { m, xen } = boot();
    const d = xen.createDomain();
    const before = modelHash(m, xen);
    expect(schedOp(xen, 0, d, XEN_DOMCTL_SCHEDOP_putinfo, { weight: 9 }, XEN_SCHEDULER_CREDIT2).rc).toBe(-XEN_EINVAL);
    expect(schedOp(xen, 0, d, XEN_DOMCTL_SCHEDOP_putvcpuinfo, { weight: 9 }).rc).toBe(-XEN_EINVAL);
    expect(schedOp(xen, d, d, XEN_DOMCTL_SCHEDOP_putinfo, { weight: 9 }).rc).toBe(-XEN_EPERM);
    expect(modelHash(m, xen)).toBe(before);
  });

  it("shares a contended pCPU in proportion to weight", () => {
    const [a, b] = shares([{ weight: 256 }, { weight: 512 }], 900);
    expect(a! + b!).toBeGreaterThan(0.99);
    expect(b! / a!).toBeGreaterThan(1.8);
    expect(b! / a!).toBeLessThan(2.2);
    const [c, e] = shares([{ weight: 256 }, { weight: 256 }], 900);
    expect(Math.abs(c! - e!)).toBeLessThan(0.05);
  });

  it("holds a capped domain to its cap even on an otherwise idle pCPU, by parking it", () => {
    const [alone] = shares([{}], 600);
    expect(alone).toBeGreaterThan(0.99);
    const [capped] = shares([{ cap: 25 }], 1200);
    expect(capped).toBeGreaterThan(0.2);
    expect(capped).toBeLessThan(0.3);
    const [half, other] = shares([{ cap: 50 }, {}], 1200);
    expect(half).toBeLessThan(0.55);
    expect(other).toBeGreaterThan(0.45);
  });

  it("boosts a vCPU waking from a block ahead of CPU-bound ones, so it runs at once", () => {
    const { m, xen } = boot(1);
    spin(xen);
    const hog = xen.createDomain();
    xen.run(hog, 0, "spin");
    const sleeper = xen.createDomain();
    const late: number[] = [];
    m.programs.register("sleeper", function* () {
      for (;;) {
        const at = m.now(0) + 5 * MS;
        yield { hypercall: 15, args: [Math.round((at / m.costs.hz) * 1e9)] }; // set_timer_op: 5 ms from now
        yield { hypercall: __HYPERVISOR_sched_op, args: [SCHEDOP_block] };
        late.push(m.now(0) - at);
        xen.guest(sleeper).sharedInfo.handleUpcall(0); // the guest acks VIRQ_TIMER
        yield { compute: MS / 100 };
      }
    });
    xen.guest(sleeper).sharedInfo.handleUpcall(0);
    // VIRQ_TIMER bound so the single-shot timer's event wakes the block.
    expect(xen.hypercall(sleeper, 32, 1, { virq: 0, vcpu: 0, port: 0 })).toBe(0);
    xen.guest(sleeper).sharedInfo.handleUpcall(0);
    xen.run(sleeper, 0, "sleeper");
    m.run({ cycles: 200 * MS });
    expect(late.length).toBeGreaterThan(20);
    // Every wake-up is served within the ratelimit (1 ms) plus one 0.1 ms hog burst, not after the
    // rest of the hog's 30 ms slice; the hog still gets almost all of the CPU.
    expect(Math.max(...late)).toBeLessThan(1.2 * MS);
    expect(xen.vcpu(hog, 0)!.runtime / (200 * MS)).toBeGreaterThan(0.9);
  });

  it("schedules the same way on every run", () => {
    const a = shares([{ weight: 100 }, { weight: 300, cap: 60 }, {}], 300);
    const b = shares([{ weight: 100 }, { weight: 300, cap: 60 }, {}], 300);
    expect(b).toEqual(a);
  });
});
