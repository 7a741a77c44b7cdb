import { describe, expect, it } from "vitest";
import {
  __HYPERVISOR_memory_op, __HYPERVISOR_sched_op, DOMID_SELF, EVTCHNOP_send, SCHEDOP_block, SCHEDOP_poll, SCHEDOP_watchdog, SCHEDOP_yield,
  SHUTDOWN_watchdog, XENMEM_current_reservation, XENMEM_decrease_reservation, XENMEM_increase_reservation, XENMEM_populate_physmap,
  XEN_DOMCTL_getdomaininfo, XEN_EINVAL, XEN_ENOSPC, XEN_EPERM, XEN_ESRCH, XEN_EFAULT, XEN_DOMINF_blocked,
} from "../../src/xen/index.js";
import { boot, connect, domctl, evtchn } from "./helpers.js";

const mem = (xen: ReturnType<typeof boot>["xen"], caller: number, cmd: number, arg: unknown) => xen.hypercall(caller, __HYPERVISOR_memory_op, cmd, arg);
const res = (gfns: number[], domid: number = DOMID_SELF) => ({ extent_start: gfns, nr_extents: gfns.length, extent_order: 0, mem_flags: 0, domid });

describe("XENMEM reservations", () => {
  it("balloons down and back up within max_pages, conserving frames", () => {
    const { m, xen } = boot();
    const d = xen.createDomain({ pages: 8, maxPages: 10 });
    const free = m.memory.free;
    expect(mem(xen, d, XENMEM_decrease_reservation, res([6, 7]))).toBe(2);
    expect(m.memory.free).toBe(free + 2);
    expect(mem(xen, d, XENMEM_current_reservation, DOMID_SELF)).toBe(6);
    expect(mem(xen, d, XENMEM_populate_physmap, res([100, 101, 102, 103, 104]))).toBe(4);
    expect(mem(xen, d, XENMEM_current_reservation, DOMID_SELF)).toBe(10);
    expect(m.memory.usage().get(`xen:dom${d}`)).toBe(10);
  });

  it("stops at the first bad extent and refuses other domains (-EPERM) and missing ones (-ESRCH)", () => {
    const { xen } = boot();
    const d = xen.createDomain({ pages: 4, maxPages: 8 });
    expect(mem(xen, d, XENMEM_decrease_reservation, res([1, 50, 2]))).toBe(1);
    expect(mem(xen, d, XENMEM_populate_physmap, res([2]))).toBe(0); // gfn 2 is still populated
    expect(mem(xen, d, XENMEM_increase_reservation, res([0], 0))).toBe(-XEN_EPERM);
    expect(mem(xen, 0, XENMEM_increase_reservation, res([0], 99))).toBe(-XEN_ESRCH);
    expect(mem(xen, d, XENMEM_populate_physmap, { nr_extents: 1, domid: DOMID_SELF })).toBe(-XEN_EFAULT);
  });
});

describe("SCHEDOP_block, poll and yield", () => {
  it("block marks the vCPU blocked until an event arrives, which wakes it", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const [pa, pb] = connect(xen, a, b);
    xen.guest(b).sharedInfo.handleUpcall(0);
    xen.guest(a).sharedInfo.handleUpcall(0);
    expect(xen.hypercall(b, __HYPERVISOR_sched_op, SCHEDOP_block)).toBe(0);
    expect(xen.vcpu(b, 0)!.run).toBe(1);
    const info = domctl(xen, 0, XEN_DOMCTL_getdomaininfo, b).op.u as { getdomaininfo: { flags: number } };
    expect(info.getdomaininfo.flags & XEN_DOMINF_blocked).toBe(XEN_DOMINF_blocked);
    expect(() => evtchn(xen, b, EVTCHNOP_send, { port: pb })).toThrow(/blocked/);
    evtchn(xen, a, EVTCHNOP_send, { port: pa });
    expect(xen.vcpu(b, 0)!.run).toBe(0);
  });

  it("block returns at once when an event is already waiting", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    connect(xen, a, b); // a's new port is pending, upcall_pending set
    expect(xen.hypercall(a, __HYPERVISOR_sched_op, SCHEDOP_block)).toBe(0);
    expect(xen.vcpu(a, 0)!.run).toBe(0);
  });

  it("poll wakes on a masked port, times out in simulated time, and refuses >128 ports with -EINVAL", () => {
    const { m, xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const [pa, pb] = connect(xen, a, b);
    xen.guest(b).sharedInfo.mask(pb);
    expect(xen.hypercall(b, __HYPERVISOR_sched_op, SCHEDOP_poll, { ports: [pb], nr_ports: 1, timeout: 0 })).toBe(0);
    expect(xen.vcpu(b, 0)!.run).toBe(2);
    evtchn(xen, a, EVTCHNOP_send, { port: pa });
    expect(xen.vcpu(b, 0)!.run).toBe(0);
    xen.guest(b).sharedInfo.clearPending(pb);
    const ns = (m.now() / m.costs.hz) * 1e9 + 1000;
    xen.hypercall(b, __HYPERVISOR_sched_op, SCHEDOP_poll, { ports: [pb], nr_ports: 1, timeout: ns });
    expect(xen.vcpu(b, 0)!.run).toBe(2);
    m.run({ cycles: 10_000 });
    expect(xen.vcpu(b, 0)!.run).toBe(0);
    expect(xen.hypercall(b, __HYPERVISOR_sched_op, SCHEDOP_poll, { ports: new Array(129).fill(pb), nr_ports: 129, timeout: 0 })).toBe(-XEN_EINVAL);
    expect(xen.hypercall(b, __HYPERVISOR_sched_op, SCHEDOP_yield)).toBe(0);
  });

  it("runs guest programs on vCPUs: a blocked program resumes when woken", () => {
    const { m, xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const [pa, pb] = connect(xen, a, b);
    xen.guest(b).sharedInfo.handleUpcall(0);
    const log: number[] = [];
    m.programs.register("waiter", function* () {
      const rc = (yield { hypercall: __HYPERVISOR_sched_op, args: [SCHEDOP_block] }) as number;
      log.push(rc);
      yield { compute: 1000 };
    });
    xen.run(b, 0, "waiter");
    m.run({ cycles: 100_000 });
    expect(log).toEqual([]);
    expect(xen.vcpu(b, 0)!.run).toBe(1);
    evtchn(xen, a, EVTCHNOP_send, { port: pa });
    m.run({ cycles: 100_000 });
    expect(log).toEqual([0]);
    expect(xen.guest(b).sharedInfo.pending(pb)).toBe(true);
  });
});

describe("SCHEDOP_watchdog", () => {
  it("shuts the domain down with SHUTDOWN_watchdog unless poked; at most two slots (-ENOSPC)", () => {
    const { m, xen } = boot();
    const d = xen.createDomain();
    const id = xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_watchdog, { id: 0, timeout: 1 });
    expect(id).toBe(1);
    expect(xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_watchdog, { id: 0, timeout: 5 })).toBe(2);
    expect(xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_watchdog, { id: 0, timeout: 5 })).toBe(-XEN_ENOSPC);
    expect(xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_watchdog, { id: 2, timeout: 0 })).toBe(0);
    expect(xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_watchdog, { id: 2, timeout: 0 })).toBe(-XEN_EINVAL);
    m.run({ cycles: 0.5 * m.costs.hz });
    expect(xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_watchdog, { id, timeout: 1 })).toBe(0);
    m.run({ cycles: 0.9 * m.costs.hz });
    expect(xen.state().domains.get(d)!.isShutdown).toBe(false);
    m.run({ cycles: 0.2 * m.costs.hz });
    expect(xen.state().domains.get(d)!.shutdownCode).toBe(SHUTDOWN_watchdog);
  });
});
