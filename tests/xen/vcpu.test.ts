import { describe, expect, it } from "vitest";
import {
  __HYPERVISOR_sched_op, __HYPERVISOR_vcpu_op, EVTCHNOP_bind_virq, RUNSTATE_blocked, RUNSTATE_offline, RUNSTATE_runnable, RUNSTATE_running,
  SCHEDOP_block, SHUTDOWN_poweroff, VCPUOP_down, VCPUOP_get_physid, VCPUOP_get_runstate_info, VCPUOP_initialise, VCPUOP_is_up,
  VCPUOP_register_runstate_phys_area, VCPUOP_register_vcpu_info, VCPUOP_set_periodic_timer, VCPUOP_set_singleshot_timer,
  VCPUOP_stop_periodic_timer, VCPUOP_stop_singleshot_timer, VCPUOP_up, VIRQ_TIMER, XEN_DOMCTL_getdomaininfo, XEN_DOMCTL_getvcpuinfo,
  XEN_DOMCTL_setvcpucontext, XEN_DOMINF_shutdown, XEN_EEXIST, XEN_EFAULT, XEN_EINVAL, XEN_ENOENT, XEN_ENOSYS, XEN_ENXIO, type Xen,
} from "../../src/xen/index.js";
import { boot, domctl, evtchn, modelHash } from "./helpers.js";

const vcpuOp = (xen: Xen, domid: number, cmd: number, vcpu: number, arg?: unknown, caller = 0): number =>
  xen.hypercallOn(domid, caller, __HYPERVISOR_vcpu_op, cmd, vcpu, arg);

function info(xen: Xen, domid: number): { nr_online_vcpus: number; flags: number } {
  return (domctl(xen, 0, XEN_DOMCTL_getdomaininfo, domid).op.u as { getdomaininfo: { nr_online_vcpus: number; flags: number } }).getdomaininfo;
}

/** Reset a vCPU as the toolstack does for one not online at boot (setvcpucontext, no context). */
function reset(xen: Xen, domid: number, vcpu: number): number {
  return domctl(xen, 0, XEN_DOMCTL_setvcpucontext, domid, { vcpucontext: { vcpu, ctxt: null } }).rc;
}

describe("VCPUOP bring-up and hot-unplug", () => {
  it("refuses a vCPU the domain lacks with -ENOENT before looking at the command, and an unknown command with -ENOSYS", () => {
    const { xen } = boot();
    const d = xen.createDomain({ vcpus: 2 });
    expect(vcpuOp(xen, d, 999, 2)).toBe(-XEN_ENOENT);
    expect(vcpuOp(xen, d, VCPUOP_is_up, -1)).toBe(-XEN_ENOENT);
    expect(vcpuOp(xen, d, 999, 1)).toBe(-XEN_ENOSYS);
  });

  it("initialises a vCPU once (-EEXIST after), needs that before up (-EINVAL), and counts it online only once up", () => {
    const { xen } = boot();
    const d = xen.createDomain({ vcpus: 3 });
    expect(vcpuOp(xen, d, VCPUOP_initialise, 1, {})).toBe(-XEN_EEXIST); // the builder brought it up
    expect(reset(xen, d, 2)).toBe(0);
    expect(info(xen, d).nr_online_vcpus).toBe(2);
    expect(vcpuOp(xen, d, VCPUOP_is_up, 2)).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_up, 2)).toBe(-XEN_EINVAL);
    expect(vcpuOp(xen, d, VCPUOP_initialise, 2)).toBe(-XEN_EFAULT);
    expect(vcpuOp(xen, d, VCPUOP_initialise, 2, { flags: 0 })).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_initialise, 2, { flags: 0 })).toBe(-XEN_EEXIST);
    expect(vcpuOp(xen, d, VCPUOP_is_up, 2)).toBe(0); // initialised, still down
    expect(vcpuOp(xen, d, VCPUOP_up, 2)).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_is_up, 2)).toBe(1);
    expect(info(xen, d).nr_online_vcpus).toBe(3);
  });

  it("takes a vCPU down (it can no longer make hypercalls), and powers the domain off when the last one goes", () => {
    const { xen } = boot();
    const d = xen.createDomain({ vcpus: 2 });
    expect(vcpuOp(xen, d, VCPUOP_down, 1)).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_is_up, 1)).toBe(0);
    expect(info(xen, d).nr_online_vcpus).toBe(1);
    const vi = domctl(xen, 0, XEN_DOMCTL_getvcpuinfo, d, { getvcpuinfo: { vcpu: 1 } }).op.u as { getvcpuinfo: { online: number } };
    expect(vi.getvcpuinfo.online).toBe(0);
    expect(() => xen.hypercallOn(d, 1, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 0)).toThrow(/down/);
    expect(vcpuOp(xen, d, VCPUOP_up, 1)).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_down, 1)).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_down, 0)).toBe(0);
    const f = info(xen, d).flags;
    expect(f & XEN_DOMINF_shutdown).toBe(XEN_DOMINF_shutdown);
    expect((f >>> 16) & 0xff).toBe(SHUTDOWN_poweroff);
    expect(domctl(xen, 0, XEN_DOMCTL_getvcpuinfo, d, { getvcpuinfo: { vcpu: 5 } }).rc).toBe(-XEN_ENOENT);
  });

  it("refuses setvcpucontext on the caller's own domain and on a vCPU it lacks with -EINVAL", () => {
    const { xen } = boot();
    const d = xen.createDomain({ vcpus: 1 });
    expect(reset(xen, d, 1)).toBe(-XEN_EINVAL);
    expect(reset(xen, 0, 1)).toBe(-XEN_EINVAL);
  });

  it("answers get_physid with -EINVAL (no pinned hardware-domain vCPU) and the unmodelled linear-address ops with -ENOSYS", () => {
    const { xen } = boot();
    expect(vcpuOp(xen, 0, VCPUOP_get_physid, 0, { phys_id: 0 })).toBe(-XEN_EINVAL);
    expect(vcpuOp(xen, 0, VCPUOP_register_vcpu_info, 0, { mfn: 1, offset: 0, rsvd: 0 })).toBe(-XEN_ENOSYS);
  });
});

describe("VCPUOP runstate", () => {
  it("reports the caller running, a blocked peer blocked, a downed one offline; the four times sum to the vCPU's age", () => {
    const { m, xen } = boot(1);
    const d = xen.createDomain({ vcpus: 3 });
    xen.guest(d).sharedInfo.handleUpcall(1);
    expect(xen.hypercallOn(d, 1, __HYPERVISOR_sched_op, SCHEDOP_block)).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_down, 2)).toBe(0);
    m.run({ cycles: 3_400_000 }); // 1 ms
    const r = [0, 1, 2].map((v) => {
      const a = { state: -1, state_entry_time: 0, time: [0, 0, 0, 0] };
      expect(vcpuOp(xen, d, VCPUOP_get_runstate_info, v, a)).toBe(0);
      return a;
    });
    expect(r.map((a) => a.state)).toEqual([RUNSTATE_running, RUNSTATE_blocked, RUNSTATE_offline]);
    const nowNs = Math.round((m.now(0) * 1e9) / m.costs.hz);
    for (const a of r) expect(a.time.reduce((s, t) => s + t, 0)).toBeLessThanOrEqual(nowNs);
    expect(r[1]!.time[RUNSTATE_blocked]).toBeGreaterThanOrEqual(1_000_000);
    expect(r[2]!.time[RUNSTATE_offline]).toBeGreaterThanOrEqual(1_000_000);
    expect(r[0]!.time[RUNSTATE_running]).toBeGreaterThan(0);
    expect(vcpuOp(xen, d, VCPUOP_up, 2)).toBe(0);
    const peer = { state: -1, state_entry_time: 0, time: [0, 0, 0, 0] };
    vcpuOp(xen, d, VCPUOP_get_runstate_info, 2, peer);
    expect(peer.state).toBe(RUNSTATE_runnable);
    expect(vcpuOp(xen, d, VCPUOP_get_runstate_info, 0)).toBe(-XEN_EFAULT);
  });

  it("keeps a registered runstate area in guest RAM up to date, and refuses page-crossing or unaligned (-ENXIO) and non-RAM (-EINVAL) areas", () => {
    const { m, xen } = boot();
    const d = xen.createDomain({ vcpus: 2 });
    const before = modelHash(m, xen);
    expect(vcpuOp(xen, d, VCPUOP_register_runstate_phys_area, 1, { addr: { p: 4096 - 40 } })).toBe(-XEN_ENXIO);
    expect(vcpuOp(xen, d, VCPUOP_register_runstate_phys_area, 1, { addr: { p: 4 } })).toBe(-XEN_ENXIO);
    expect(vcpuOp(xen, d, VCPUOP_register_runstate_phys_area, 1, { addr: { p: 0x4000_0000 } })).toBe(-XEN_EINVAL);
    expect(modelHash(m, xen)).toBe(before);
    expect(vcpuOp(xen, d, VCPUOP_register_runstate_phys_area, 1, { addr: { p: 3 * 4096 + 64 } })).toBe(0);
    const read = (): number => new DataView(xen.guest(d).memory.read(3, 64, 48).buffer.slice(0)).getInt32(0, true);
    expect(read()).toBe(RUNSTATE_runnable);
    expect(vcpuOp(xen, d, VCPUOP_down, 1)).toBe(0);
    expect(read()).toBe(RUNSTATE_offline);
    expect(vcpuOp(xen, d, VCPUOP_register_runstate_phys_area, 1, { addr: { p: 0xffff_ffff_ffff_ffffn } })).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_up, 1)).toBe(0);
    expect(read()).toBe(RUNSTATE_offline); // unregistered: no longer written
  });
});

/** Bind VIRQ_TIMER on a vCPU, returning the port. */
function bindTimer(xen: Xen, d: number, vcpu = 0): number {
  const a = { virq: VIRQ_TIMER, vcpu, port: 0 };
  expect(evtchn(xen, d, EVTCHNOP_bind_virq, a)).toBe(0);
  xen.guest(d).sharedInfo.handleUpcall(vcpu);
  return a.port;
}

const MS = 3_400_000; // cycles per ms on the default skylake profile (3.4 GHz)

/** Run to each ms boundary up to `ms`, noting when the timer port became pending (and acking it as the guest's handler would). */
function ticks(xen: Xen, d: number, port: number, fromMs: number, toMs: number): number[] {
  const seen: number[] = [];
  const si = xen.guest(d).sharedInfo;
  for (let t = fromMs + 1; t <= toMs; t++) {
    xen.m.run({ until: t * MS });
    if (si.pending(port)) {
      seen.push(t);
      si.handleUpcall(0);
    }
  }
  return seen;
}

describe("VIRQ_TIMER from the periodic and single-shot timers", () => {
  it("ticks every period in simulated time, only while the vCPU runs, catching up once when it wakes", () => {
    const { m, xen } = boot();
    const d = xen.createDomain();
    const port = bindTimer(xen, d);
    const before = modelHash(m, xen);
    expect(vcpuOp(xen, d, VCPUOP_set_periodic_timer, 0, { period_ns: 999_999 })).toBe(-XEN_EINVAL);
    expect(vcpuOp(xen, d, VCPUOP_set_periodic_timer, 0)).toBe(-XEN_EFAULT);
    expect(modelHash(m, xen)).toBe(before);
    expect(vcpuOp(xen, d, VCPUOP_set_periodic_timer, 0, { period_ns: 10_000_000 })).toBe(0);
    expect(ticks(xen, d, port, 0, 35)).toEqual([10, 20, 30]);
    // Blocked from 35 ms: the 40 and 50 ms expiries find it descheduled and the timer stops. A
    // single-shot timer wakes it at 57 ms (what an idle guest relies on); the periodic timer then
    // catches up with one tick and runs on from there.
    expect(xen.hypercall(d, 15, 57_000_000)).toBe(0);
    expect(xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_block)).toBe(0);
    expect(ticks(xen, d, port, 35, 56)).toEqual([]);
    expect(xen.vcpu(d, 0)!.run).toBe(1);
    // The wake-up's own cost (upcall, VM switch) lands the catch-up just after 57 ms, so the next
    // expiries fall just after 67 and 77 ms and show at the following ms boundary.
    expect(ticks(xen, d, port, 56, 80)).toEqual([57, 68, 78]);
    expect(vcpuOp(xen, d, VCPUOP_stop_periodic_timer, 0)).toBe(0);
    expect(ticks(xen, d, port, 80, 100)).toEqual([]);
  });

  it("wakes a blocked vCPU with a single-shot timer, which fires once; stopping it cancels the expiry", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    const port = bindTimer(xen, d);
    expect(vcpuOp(xen, d, VCPUOP_set_singleshot_timer, 0, { timeout_abs_ns: 25_000_000, flags: 0 })).toBe(0);
    expect(xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_block)).toBe(0);
    expect(ticks(xen, d, port, 0, 60)).toEqual([25]);
    expect(xen.vcpu(d, 0)!.run).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_set_singleshot_timer, 0, { timeout_abs_ns: 70_000_000, flags: 0 })).toBe(0);
    expect(vcpuOp(xen, d, VCPUOP_stop_singleshot_timer, 0)).toBe(0);
    expect(ticks(xen, d, port, 60, 80)).toEqual([]);
  });

  it("sets only the caller's own single-shot timer (-EINVAL for another vCPU) and fires a passed timeout at once", () => {
    const { m, xen } = boot();
    const d = xen.createDomain({ vcpus: 2 });
    const port = bindTimer(xen, d);
    const before = modelHash(m, xen);
    expect(vcpuOp(xen, d, VCPUOP_set_singleshot_timer, 1, { timeout_abs_ns: 1, flags: 0 })).toBe(-XEN_EINVAL);
    expect(vcpuOp(xen, d, VCPUOP_stop_singleshot_timer, 1)).toBe(-XEN_EINVAL);
    expect(modelHash(m, xen)).toBe(before);
    m.run({ until: 2 * MS });
    expect(xen.guest(d).sharedInfo.pending(port)).toBe(false);
    expect(vcpuOp(xen, d, VCPUOP_set_singleshot_timer, 0, { timeout_abs_ns: 1_000_000, flags: 1 })).toBe(0);
    expect(xen.guest(d).sharedInfo.pending(port)).toBe(true);
  });

  it("set_timer_op (15): arms at an absolute time, 0 cancels, and a negative timeout fires 100 ms later", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    const port = bindTimer(xen, d);
    const setTimer = (ns: number | bigint): number => xen.hypercall(d, 15, ns);
    expect(setTimer(12_000_000)).toBe(0);
    expect(ticks(xen, d, port, 0, 20)).toEqual([12]);
    expect(setTimer(30_000_000)).toBe(0);
    expect(setTimer(0)).toBe(0);
    expect(ticks(xen, d, port, 20, 40)).toEqual([]);
    expect(setTimer(-1n)).toBe(0);
    expect(ticks(xen, d, port, 40, 150)).toEqual([140]); // NOW() at the call (40 ms) + 100 ms
  });

  it("gives the same ticks and the same trace on every run", () => {
    const once = (): [number[], string] => {
      const { m, xen } = boot();
      const d = xen.createDomain({ vcpus: 2 });
      const port = bindTimer(xen, d);
      bindTimer(xen, d, 1);
      vcpuOp(xen, d, VCPUOP_set_periodic_timer, 0, { period_ns: 4_000_000 });
      vcpuOp(xen, d, VCPUOP_set_periodic_timer, 1, { period_ns: 3_000_000 });
      return [ticks(xen, d, port, 0, 30), m.trace.hash()];
    };
    const [a, ha] = once();
    const [b, hb] = once();
    expect(a).toEqual([4, 8, 12, 16, 20, 24, 28]);
    expect(b).toEqual(a);
    expect(hb).toBe(ha);
  });
});
