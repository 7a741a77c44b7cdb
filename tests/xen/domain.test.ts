import { describe, expect, it } from "vitest";
import {
  __HYPERVISOR_domctl, __HYPERVISOR_multicall, __HYPERVISOR_event_channel_op, DOMID_ANY, DOMID_SELF, EVTCHNOP_alloc_unbound, EVTCHNOP_send,
  XEN_DOMCTL_CDF_hap, XEN_DOMCTL_CDF_hvm, XEN_DOMCTL_createdomain, XEN_DOMCTL_destroydomain, XEN_DOMCTL_getdomaininfo,
  XEN_DOMCTL_pausedomain, XEN_DOMCTL_unpausedomain, XEN_DOMINF_paused, XEN_DOMINF_shutdown, XEN_EACCES, XEN_EEXIST, XEN_EINVAL,
  XEN_ENOSYS, XEN_EOVERFLOW, XEN_EPERM, XEN_ESRCH, __HYPERVISOR_sched_op, SCHEDOP_shutdown, SHUTDOWN_crash, XEN_DOMCTL_GRANT_version_default,
} from "../../src/xen/index.js";
import { boot, connect, domctl, modelHash } from "./helpers.js";

const create = (o: Record<string, unknown> = {}) => ({
  createdomain: { flags: XEN_DOMCTL_CDF_hvm, max_vcpus: 1, max_evtchn_port: 1023, max_grant_frames: -1, max_maptrack_frames: -1, grant_opts: XEN_DOMCTL_GRANT_version_default, ...o },
});

describe("XEN_DOMCTL_createdomain", () => {
  it("creates a paused domain with the next free domid for DOMID_ANY", () => {
    const { xen } = boot();
    const { rc, op } = domctl(xen, 0, XEN_DOMCTL_createdomain, DOMID_ANY, create());
    expect(rc).toBe(0);
    expect(op.domain).toBe(1);
    const info = domctl(xen, 0, XEN_DOMCTL_getdomaininfo, 1);
    const flags = (info.op.u as { getdomaininfo: { flags: number } }).getdomaininfo.flags;
    expect(flags & XEN_DOMINF_paused).toBe(XEN_DOMINF_paused);
  });

  it("never hands out the same domid twice in a row, even after destroying it", () => {
    const { xen } = boot();
    const a = xen.createDomain();
    expect(domctl(xen, 0, XEN_DOMCTL_destroydomain, a).rc).toBe(0);
    expect(xen.createDomain()).toBe(a + 1);
  });

  it("uses an explicitly requested domid and refuses one in use with -EEXIST", () => {
    const { xen } = boot();
    expect(domctl(xen, 0, XEN_DOMCTL_createdomain, 42, create()).op.domain).toBe(42);
    expect(domctl(xen, 0, XEN_DOMCTL_createdomain, 42, create()).rc).toBe(-XEN_EEXIST);
    expect(domctl(xen, 0, XEN_DOMCTL_createdomain, 0x7ff2, create()).rc).toBe(-XEN_EEXIST);
  });

  it("refuses bad configurations with -EINVAL and changes nothing", () => {
    const { m, xen } = boot();
    const before = modelHash(m, xen);
    expect(domctl(xen, 0, XEN_DOMCTL_createdomain, DOMID_ANY, create({ max_vcpus: 0 })).rc).toBe(-XEN_EINVAL);
    expect(domctl(xen, 0, XEN_DOMCTL_createdomain, DOMID_ANY, create({ flags: XEN_DOMCTL_CDF_hap })).rc).toBe(-XEN_EINVAL);
    expect(domctl(xen, 0, XEN_DOMCTL_createdomain, DOMID_ANY, create({ grant_opts: 0 })).rc).toBe(-XEN_EINVAL);
    expect(domctl(xen, 0, XEN_DOMCTL_createdomain, DOMID_ANY, create({ grant_opts: 3 })).rc).toBe(-XEN_EINVAL);
    expect(domctl(xen, 0, XEN_DOMCTL_createdomain, DOMID_ANY, create({ flags: 1 << 12 })).rc).toBe(-XEN_EINVAL);
    expect(modelHash(m, xen)).toBe(before);
  });

  it("refuses a domctl with the wrong interface_version with -EACCES", () => {
    const { xen } = boot();
    const op = { cmd: XEN_DOMCTL_createdomain, interface_version: 0x17, domain: DOMID_ANY, u: create() };
    expect(xen.hypercall(0, __HYPERVISOR_domctl, op)).toBe(-XEN_EACCES);
  });

  it("refuses domctl from an unprivileged domain with -EPERM (XSM_PRIV)", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    expect(domctl(xen, d, XEN_DOMCTL_createdomain, DOMID_ANY, create()).rc).toBe(-XEN_EPERM);
    expect(domctl(xen, d, XEN_DOMCTL_pausedomain, 0).rc).toBe(-XEN_EPERM);
  });

  it("answers -ESRCH for a domain that does not exist and -ENOSYS for an unknown domctl", () => {
    const { xen } = boot();
    expect(domctl(xen, 0, XEN_DOMCTL_pausedomain, 77).rc).toBe(-XEN_ESRCH);
    expect(domctl(xen, 0, 999, 0).rc).toBe(-XEN_ENOSYS);
  });
});

describe("pause and unpause", () => {
  it("nest: two pauses need two unpauses", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    expect(domctl(xen, 0, XEN_DOMCTL_pausedomain, d).rc).toBe(0);
    expect(domctl(xen, 0, XEN_DOMCTL_pausedomain, d).rc).toBe(0);
    expect(domctl(xen, 0, XEN_DOMCTL_unpausedomain, d).rc).toBe(0);
    expect(() => xen.hypercall(d, __HYPERVISOR_event_channel_op, EVTCHNOP_send, { port: 1 })).toThrow(/paused/);
    expect(domctl(xen, 0, XEN_DOMCTL_unpausedomain, d).rc).toBe(0);
    expect(xen.hypercall(d, __HYPERVISOR_event_channel_op, EVTCHNOP_send, { port: 1 })).toBe(-XEN_EINVAL);
  });

  it("returns -EINVAL for an unpause below zero and for pausing yourself", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    expect(domctl(xen, 0, XEN_DOMCTL_unpausedomain, d).rc).toBe(-XEN_EINVAL);
    expect(domctl(xen, 0, XEN_DOMCTL_pausedomain, 0).rc).toBe(-XEN_EINVAL);
  });

  it("returns -EOVERFLOW past 255 nested pauses", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    for (let i = 0; i < 255; i++) expect(domctl(xen, 0, XEN_DOMCTL_pausedomain, d).rc).toBe(0);
    expect(domctl(xen, 0, XEN_DOMCTL_pausedomain, d).rc).toBe(-XEN_EOVERFLOW);
  });
});

describe("XEN_DOMCTL_destroydomain", () => {
  it("closes channels (remote ends revert to unbound), returns memory and frees the domid", () => {
    const { m, xen } = boot();
    const free = m.memory.free;
    const a = xen.createDomain({ pages: 16 });
    const b = xen.createDomain({ pages: 16 });
    const [pa] = connect(xen, a, b);
    expect(domctl(xen, 0, XEN_DOMCTL_destroydomain, b).rc).toBe(0);
    const st = { dom: DOMID_SELF, port: pa, status: -1, u: {} as Record<string, unknown> };
    xen.hypercall(a, __HYPERVISOR_event_channel_op, 5, st);
    expect(st.status).toBe(1); // EVTCHNSTAT_unbound
    expect(domctl(xen, 0, XEN_DOMCTL_destroydomain, a).rc).toBe(0);
    expect(m.memory.free).toBe(free);
    expect(domctl(xen, 0, XEN_DOMCTL_getdomaininfo, b).rc).toBe(-XEN_ESRCH);
  });
});

describe("SCHEDOP_shutdown", () => {
  it("shows in getdomaininfo as XEN_DOMINF_shutdown with the reason in bits 16-23", () => {
    const { xen } = boot();
    const d = xen.createDomain();
    expect(xen.hypercall(d, __HYPERVISOR_sched_op, SCHEDOP_shutdown, { reason: SHUTDOWN_crash })).toBe(0);
    const info = (domctl(xen, 0, XEN_DOMCTL_getdomaininfo, d).op.u as { getdomaininfo: { flags: number } }).getdomaininfo;
    expect(info.flags & XEN_DOMINF_shutdown).toBe(XEN_DOMINF_shutdown);
    expect((info.flags >>> 16) & 0xff).toBe(SHUTDOWN_crash);
  });
});

describe("multicall", () => {
  it("runs each entry, stores each rc in result, and charges one hypercall entry", () => {
    const { m, xen } = boot();
    const d = xen.createDomain();
    const calls = [
      { op: __HYPERVISOR_event_channel_op, args: [EVTCHNOP_alloc_unbound, { dom: DOMID_SELF, remote_dom: 0 }], result: 1 },
      { op: __HYPERVISOR_event_channel_op, args: [EVTCHNOP_send, { port: 99 }], result: 1 },
      { op: __HYPERVISOR_multicall, args: [[], 0], result: 1 },
      { op: 11, args: [], result: 1 },
    ];
    const before = m.trace.total;
    expect(xen.hypercall(d, __HYPERVISOR_multicall, calls, calls.length)).toBe(0);
    expect(calls.map((c) => c.result)).toEqual([0, -XEN_EINVAL, -XEN_EINVAL, -XEN_ENOSYS]);
    const recs = m.trace.records({ op: "multicall" });
    expect(recs).toHaveLength(1);
    expect(recs[0]!.cycles).toBe(m.costs.cycles("xen_hvm_hypercall"));
    expect(m.trace.total - before).toBe(1);
  });
});
