import { describe, expect, it } from "vitest";
import {
  DOMID_SELF, EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_bind_ipi, EVTCHNOP_bind_pirq, EVTCHNOP_bind_vcpu,
  EVTCHNOP_bind_virq, EVTCHNOP_close, EVTCHNOP_expand_array, EVTCHNOP_init_control, EVTCHNOP_reset, EVTCHNOP_reset_cont, EVTCHNOP_send,
  EVTCHNOP_set_priority, EVTCHNOP_status, EVTCHNOP_unmask, EVTCHNSTAT_interdomain, EVTCHNSTAT_unbound, EVTCHNSTAT_closed, VIRQ_CONSOLE, VIRQ_DEBUG, VIRQ_TIMER,
  XEN_EBUSY, XEN_EEXIST, XEN_EFAULT, XEN_EINVAL, XEN_ENOENT, XEN_ENOSPC, XEN_ENOSYS, XEN_EOPNOTSUPP, XEN_EPERM, XEN_ESRCH, __HYPERVISOR_event_channel_op,
} from "../../src/xen/index.js";
import { boot, connect, evtchn, modelHash } from "./helpers.js";

describe("EVTCHNOP_alloc_unbound", () => {
  it("hands out the lowest free port, never port 0", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    const a = { dom: DOMID_SELF, remote_dom: 0, port: -1 };
    expect(evtchn(xen, d, EVTCHNOP_alloc_unbound, a)).toBe(0);
    expect(a.port).toBe(1);
    const b = { dom: DOMID_SELF, remote_dom: 0, port: -1 };
    evtchn(xen, d, EVTCHNOP_alloc_unbound, b);
    expect(b.port).toBe(2);
    expect(evtchn(xen, d, EVTCHNOP_close, { port: 1 })).toBe(0);
    evtchn(xen, d, EVTCHNOP_alloc_unbound, b);
    expect(b.port).toBe(1);
  });

  it("returns -ENOSPC above max_evtchn_port", () => {
    const { m, xen } = boot();
    const d = xen.createDomain({ maxEvtchnPort: 3 });
    for (let i = 0; i < 3; i++) expect(evtchn(xen, d, EVTCHNOP_alloc_unbound, { dom: DOMID_SELF, remote_dom: 0 })).toBe(0);
    const h = modelHash(m, xen);
    expect(evtchn(xen, d, EVTCHNOP_alloc_unbound, { dom: DOMID_SELF, remote_dom: 0 })).toBe(-XEN_ENOSPC);
    expect(modelHash(m, xen)).toBe(h);
  });

  it("returns -ESRCH for a missing domain and -EPERM for another domain without privilege", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    expect(evtchn(xen, d, EVTCHNOP_alloc_unbound, { dom: 99, remote_dom: 0 })).toBe(-XEN_ESRCH);
    expect(evtchn(xen, d, EVTCHNOP_alloc_unbound, { dom: 0, remote_dom: d })).toBe(-XEN_EPERM);
    expect(evtchn(xen, 0, EVTCHNOP_alloc_unbound, { dom: d, remote_dom: 0 })).toBe(0);
  });
});

describe("EVTCHNOP_bind_interdomain", () => {
  it("connects both ends and sets the new local port pending", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const [pa, pb] = connect(xen, a, b);
    const st = { dom: b, port: pb } as Record<string, unknown>;
    expect(evtchn(xen, 0, EVTCHNOP_status, st)).toBe(0);
    expect(st.status).toBe(EVTCHNSTAT_interdomain);
    expect(st.u).toEqual({ interdomain: { dom: a, port: pa } });
    expect(xen.guest(a).sharedInfo.pending(pa)).toBe(true);
  });

  it("refuses -ESRCH, -EINVAL for a port not offered to the caller, -ENOSPC without a local port", () => {
    const { xen } = boot();
    const a = xen.createDomain({ maxEvtchnPort: 1 });
    const b = xen.createDomain();
    const c = xen.createDomain();
    const offer = { dom: DOMID_SELF, remote_dom: c, port: 0 };
    evtchn(xen, b, EVTCHNOP_alloc_unbound, offer);
    expect(evtchn(xen, a, EVTCHNOP_bind_interdomain, { remote_dom: 77, remote_port: 1 })).toBe(-XEN_ESRCH);
    expect(evtchn(xen, a, EVTCHNOP_bind_interdomain, { remote_dom: b, remote_port: offer.port })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, a, EVTCHNOP_bind_interdomain, { remote_dom: b, remote_port: 4000 })).toBe(-XEN_EINVAL);
    evtchn(xen, a, EVTCHNOP_alloc_unbound, { dom: DOMID_SELF, remote_dom: 0 });
    expect(evtchn(xen, a, EVTCHNOP_bind_interdomain, { remote_dom: b, remote_port: offer.port })).toBe(-XEN_ENOSPC);
  });
});

describe("EVTCHNOP_send on the 2-level ABI", () => {
  it("sets pending, the selector bit and upcall_pending on the remote notify vCPU", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const [pa, pb] = connect(xen, a, b);
    const si = xen.guest(b).sharedInfo;
    expect(evtchn(xen, a, EVTCHNOP_send, { port: pa })).toBe(0);
    expect(si.pending(pb)).toBe(true);
    expect(si.vcpu(0).upcallPending).toBe(1);
    expect(si.vcpu(0).pendingSel).toBe(1n << BigInt(pb >> 6));
    expect(si.handleUpcall(0)).toEqual([pb]);
    expect(si.pending(pb)).toBe(false);
  });

  it("coalesces a second send while pending, and a masked port gets no upcall until EVTCHNOP_unmask", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const [pa, pb] = connect(xen, a, b);
    const si = xen.guest(b).sharedInfo;
    si.mask(pb);
    evtchn(xen, a, EVTCHNOP_send, { port: pa });
    expect(si.pending(pb)).toBe(true);
    expect(si.vcpu(0).upcallPending).toBe(0);
    expect(evtchn(xen, b, EVTCHNOP_unmask, { port: pb })).toBe(0);
    expect(si.vcpu(0).upcallPending).toBe(1);
    expect(si.handleUpcall(0)).toEqual([pb]);
  });

  it("drops a send on an unbound port and returns 0; -EINVAL for a free or VIRQ port", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const offer = { dom: DOMID_SELF, remote_dom: 0, port: 0 };
    evtchn(xen, a, EVTCHNOP_alloc_unbound, offer);
    expect(evtchn(xen, a, EVTCHNOP_send, { port: offer.port })).toBe(0);
    expect(xen.guest(a).sharedInfo.pending(offer.port)).toBe(false);
    expect(evtchn(xen, a, EVTCHNOP_send, { port: 30 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, a, EVTCHNOP_send, { port: 1 << 20 })).toBe(-XEN_EINVAL);
    const v = { virq: VIRQ_TIMER, vcpu: 0, port: 0 };
    evtchn(xen, a, EVTCHNOP_bind_virq, v);
    expect(evtchn(xen, a, EVTCHNOP_send, { port: v.port })).toBe(-XEN_EINVAL);
  });

  it("charges the same-CPU delivery when both vCPUs share a CPU and the cross-CPU one otherwise", () => {
    const { m, xen } = boot(2);
    const a = xen.createDomain(); // dom0 vCPUs on CPUs 0, 1 → a on CPU 0
    const b = xen.createDomain(); // → CPU 1
    const c = xen.createDomain(); // → CPU 0
    expect(xen.vcpu(a, 0)!.processor).not.toBe(xen.vcpu(b, 0)!.processor);
    expect(xen.vcpu(a, 0)!.processor).toBe(xen.vcpu(c, 0)!.processor);
    const [pab] = connect(xen, a, b);
    const [pac] = connect(xen, a, c);
    xen.guest(b).sharedInfo.handleUpcall(0);
    xen.guest(c).sharedInfo.handleUpcall(0);
    const hyp = m.costs.cycles("xen_hvm_hypercall");
    evtchn(xen, a, EVTCHNOP_send, { port: pac });
    const local = m.trace.records({ op: "EVTCHNOP_send" }).at(-1)!;
    expect(local.cycles).toBe(hyp + m.costs.cycles("evtchn_send_local"));
    evtchn(xen, a, EVTCHNOP_send, { port: pab });
    expect(m.trace.records({ op: "EVTCHNOP_send" }).at(-1)!.cycles).toBe(hyp);
    const upcall = m.trace.records({ op: "evtchn_upcall" }).at(-1)!;
    expect(upcall.cpu).toBe(xen.vcpu(b, 0)!.processor);
    expect(upcall.cycles).toBe(m.costs.cycles("evtchn_send_remote"));
  });
});

describe("EVTCHNOP_close", () => {
  it("reverts the remote end to unbound, accepting the closer again", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const [pa, pb] = connect(xen, a, b);
    expect(evtchn(xen, a, EVTCHNOP_close, { port: pa })).toBe(0);
    const st = { dom: DOMID_SELF, port: pb } as Record<string, unknown>;
    evtchn(xen, b, EVTCHNOP_status, st);
    expect(st.status).toBe(EVTCHNSTAT_unbound);
    expect(st.u).toEqual({ unbound: { dom: a } });
    const again = { remote_dom: b, remote_port: pb, local_port: 0 };
    expect(evtchn(xen, a, EVTCHNOP_bind_interdomain, again)).toBe(0);
  });

  it("returns -EINVAL for port 0, a free port, or a port out of range", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    expect(evtchn(xen, a, EVTCHNOP_close, { port: 0 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, a, EVTCHNOP_close, { port: 5 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, a, EVTCHNOP_close, { port: 99999 })).toBe(-XEN_EINVAL);
  });
});

describe("EVTCHNOP_status", () => {
  it("reports closed for reserved port 0; -ESRCH, -EINVAL and -EPERM on bad requests", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const st = { dom: DOMID_SELF, port: 0 } as Record<string, unknown>;
    expect(evtchn(xen, a, EVTCHNOP_status, st)).toBe(0);
    expect(st.status).toBe(EVTCHNSTAT_closed);
    expect(evtchn(xen, a, EVTCHNOP_status, { dom: 50, port: 0 })).toBe(-XEN_ESRCH);
    expect(evtchn(xen, a, EVTCHNOP_status, { dom: DOMID_SELF, port: 5000 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, a, EVTCHNOP_status, { dom: 0, port: 0 })).toBe(-XEN_EPERM);
  });
});

describe("EVTCHNOP_bind_virq", () => {
  it("binds per-vCPU VIRQs once per vCPU (-EEXIST again), -EINVAL for a bad number or a global VIRQ on vCPU≠0", () => {
    const { xen } = boot();
    const a = xen.createDomain({ vcpus: 2 });
    expect(evtchn(xen, a, EVTCHNOP_bind_virq, { virq: VIRQ_TIMER, vcpu: 1 })).toBe(0);
    expect(evtchn(xen, a, EVTCHNOP_bind_virq, { virq: VIRQ_TIMER, vcpu: 1 })).toBe(-XEN_EEXIST);
    expect(evtchn(xen, a, EVTCHNOP_bind_virq, { virq: 24, vcpu: 0 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, a, EVTCHNOP_bind_virq, { virq: VIRQ_CONSOLE, vcpu: 1 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, a, EVTCHNOP_bind_virq, { virq: VIRQ_DEBUG, vcpu: 5 })).toBe(-XEN_ENOENT);
  });

  it("refuses a global VIRQ owned by another domain with -EBUSY; its owner gets it raised", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    expect(evtchn(xen, a, EVTCHNOP_bind_virq, { virq: VIRQ_CONSOLE, vcpu: 0 })).toBe(-XEN_EBUSY);
    const b = { virq: VIRQ_CONSOLE, vcpu: 0, port: 0 };
    expect(evtchn(xen, 0, EVTCHNOP_bind_virq, b)).toBe(0);
    xen.raiseVirq(0, VIRQ_CONSOLE);
    expect(xen.guest(0).sharedInfo.pending(b.port)).toBe(true);
  });
});

describe("EVTCHNOP_bind_ipi, bind_vcpu, bind_pirq", () => {
  it("delivers an IPI port to its own vCPU; bind_vcpu moves a channel; bad vCPU → -ENOENT", () => {
    const { xen } = boot();
    const a = xen.createDomain({ vcpus: 2 });
    const ipi = { vcpu: 1, port: 0 };
    expect(evtchn(xen, a, EVTCHNOP_bind_ipi, ipi)).toBe(0);
    expect(evtchn(xen, a, EVTCHNOP_send, { port: ipi.port })).toBe(0);
    expect(xen.guest(a).sharedInfo.vcpu(1).upcallPending).toBe(1);
    expect(evtchn(xen, a, EVTCHNOP_bind_ipi, { vcpu: 9 })).toBe(-XEN_ENOENT);
    expect(evtchn(xen, a, EVTCHNOP_bind_vcpu, { port: ipi.port, vcpu: 0 })).toBe(-XEN_EINVAL);
    const b = xen.createDomain();
    const [pa] = connect(xen, a, b);
    expect(evtchn(xen, a, EVTCHNOP_bind_vcpu, { port: pa, vcpu: 1 })).toBe(0);
    expect(evtchn(xen, a, EVTCHNOP_bind_vcpu, { port: pa, vcpu: 3 })).toBe(-XEN_ENOENT);
    expect(evtchn(xen, a, EVTCHNOP_bind_pirq, { pirq: 1, flags: 0 })).toBe(-XEN_EPERM);
  });
});

describe("EVTCHNOP_reset and dispatch", () => {
  it("closes every channel; -EPERM on another domain without privilege; -ENOSYS and -EFAULT for bad calls", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const [, pb] = connect(xen, a, b);
    expect(evtchn(xen, b, EVTCHNOP_reset, { dom: a })).toBe(-XEN_EPERM);
    expect(evtchn(xen, a, EVTCHNOP_reset, { dom: DOMID_SELF })).toBe(0);
    const st = { dom: DOMID_SELF, port: pb } as Record<string, unknown>;
    evtchn(xen, b, EVTCHNOP_status, st);
    expect(st.status).toBe(EVTCHNSTAT_unbound);
    expect(evtchn(xen, a, EVTCHNOP_reset_cont, { dom: DOMID_SELF })).toBe(-XEN_ENOSYS);
    expect(evtchn(xen, a, 77, {})).toBe(-XEN_ENOSYS);
    expect(xen.hypercall(a, __HYPERVISOR_event_channel_op, EVTCHNOP_send)).toBe(-XEN_EFAULT);
  });
});

describe("FIFO ABI", () => {
  function fifoDomain(xen: ReturnType<typeof boot>["xen"]): number {
    const d = xen.createDomain({ pages: 8, maxEvtchnPort: 131071 });
    const init = { control_gfn: 1, offset: 0, vcpu: 0, link_bits: 0 };
    expect(evtchn(xen, d, EVTCHNOP_init_control, init)).toBe(0);
    expect(init.link_bits).toBe(17);
    expect(evtchn(xen, d, EVTCHNOP_expand_array, { array_gfn: 2 })).toBe(0);
    return d;
  }

  it("links sends into priority queues that the guest consumes highest priority first", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    const f = fifoDomain(xen);
    const [p1, q1] = connect(xen, a, f);
    const [p2, q2] = connect(xen, a, f);
    xen.guest(f).fifoHandleEvents(0);
    expect(evtchn(xen, f, EVTCHNOP_set_priority, { port: q2, priority: 2 })).toBe(0);
    evtchn(xen, a, EVTCHNOP_send, { port: p1 });
    evtchn(xen, a, EVTCHNOP_send, { port: p2 });
    expect(xen.guest(f).sharedInfo.vcpu(0).upcallPending).toBe(1);
    expect(xen.guest(f).fifoHandleEvents(0)).toEqual([q2, q1]);
  });

  it("checks init_control (-ENOENT, -EINVAL) and expand_array (-EOPNOTSUPP before init, -EINVAL bad gfn)", () => {
    const { xen } = boot();
    const d = xen.createDomain({ pages: 4 });
    expect(evtchn(xen, d, EVTCHNOP_expand_array, { array_gfn: 2 })).toBe(-XEN_EOPNOTSUPP);
    expect(evtchn(xen, d, EVTCHNOP_set_priority, { port: 1, priority: 1 })).toBe(-XEN_ENOSYS);
    expect(evtchn(xen, d, EVTCHNOP_init_control, { control_gfn: 1, offset: 0, vcpu: 3 })).toBe(-XEN_ENOENT);
    expect(evtchn(xen, d, EVTCHNOP_init_control, { control_gfn: 1, offset: 4, vcpu: 0 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, d, EVTCHNOP_init_control, { control_gfn: 1, offset: 4088, vcpu: 0 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, d, EVTCHNOP_init_control, { control_gfn: 900, offset: 0, vcpu: 0 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, d, EVTCHNOP_init_control, { control_gfn: 1, offset: 0, vcpu: 0 })).toBe(0);
    expect(evtchn(xen, d, EVTCHNOP_expand_array, { array_gfn: 900 })).toBe(-XEN_EINVAL);
    expect(evtchn(xen, d, EVTCHNOP_set_priority, { port: 1, priority: 16 })).toBe(-XEN_EINVAL);
  });

  it("reverts to 2-level on a self reset", () => {
    const { xen } = boot();
    const d = fifoDomain(xen);
    expect(evtchn(xen, d, EVTCHNOP_reset, { dom: DOMID_SELF })).toBe(0);
    expect(xen.state().domains.get(d)!.evtchn.abi).toBe(0);
  });
});

describe("SharedInfoView.settleSelector (a kernel that handled ports one by one)", () => {
  it("clears the selector and upcall_pending when nothing is left, so the next send notifies the vCPU again", () => {
    const { xen } = boot();
    const a = xen.createDomain({ pages: 64 });
    const b = xen.createDomain({ pages: 64 });
    // bind_interdomain leaves the binder's (a's) new port pending
    const [portA] = connect(xen, a, b);
    const si = xen.guest(a).sharedInfo;
    expect(si.pending(portA)).toBe(true);
    expect(si.vcpu(0).upcallPending).toBe(1);
    si.clearPending(portA);
    si.settleSelector(0);
    expect(si.vcpu(0).upcallPending).toBe(0);
    expect(si.vcpu(0).pendingSel).toBe(0n);
  });

  it("keeps the selector bit of a word that still holds a pending, unmasked port", () => {
    const { xen } = boot();
    const a = xen.createDomain({ pages: 64 });
    const b = xen.createDomain({ pages: 64 });
    // bind_interdomain leaves the binder's (a's) new port pending
    const [portA] = connect(xen, a, b);
    const si = xen.guest(a).sharedInfo;
    si.settleSelector(0);
    expect(si.vcpu(0).upcallPending).toBe(1);
    expect(si.vcpu(0).pendingSel).toBe(1n << BigInt(portA >> 6));
  });
});
