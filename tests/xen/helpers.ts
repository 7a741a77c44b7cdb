/** Shared set-up for the Xen tests: a booted machine and short-hands for the common hypercalls. */
import { hashValue } from "../../src/machine/index.js";
import { createMachine } from "../../src/index.js";
import {
  __HYPERVISOR_domctl, __HYPERVISOR_event_channel_op, __HYPERVISOR_grant_table_op, DOMID_SELF, EVTCHNOP_alloc_unbound,
  EVTCHNOP_bind_interdomain, XEN_DOMCTL_INTERFACE_VERSION, type Xen,
} from "../../src/xen/index.js";

export function boot(cpus = 2, memory = "64M"): { m: ReturnType<typeof createMachine>; xen: Xen } {
  const m = createMachine({ cpus, memory, seed: 7 });
  return { m, xen: m.bootXen() };
}

export function evtchn(xen: Xen, domid: number, cmd: number, arg: Record<string, unknown>): number {
  return xen.hypercall(domid, __HYPERVISOR_event_channel_op, cmd, arg);
}

export function gnttab(xen: Xen, domid: number, cmd: number, ops: Record<string, unknown>[]): number {
  return xen.hypercall(domid, __HYPERVISOR_grant_table_op, cmd, ops, ops.length);
}

export function domctl(xen: Xen, caller: number, cmd: number, domain: number, u: Record<string, unknown> = {}): { rc: number; op: Record<string, unknown> } {
  const op: Record<string, unknown> = { cmd, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain, u };
  return { rc: xen.hypercall(caller, __HYPERVISOR_domctl, op), op };
}

/** An interdomain channel a ⇄ b: returns [port in a, port in b]. */
export function connect(xen: Xen, a: number, b: number): [number, number] {
  const alloc = { dom: DOMID_SELF, remote_dom: a, port: 0 };
  if (evtchn(xen, b, EVTCHNOP_alloc_unbound, alloc) !== 0) throw new Error("alloc_unbound failed");
  const bind = { remote_dom: b, remote_port: alloc.port, local_port: 0 };
  if (evtchn(xen, a, EVTCHNOP_bind_interdomain, bind) !== 0) throw new Error("bind_interdomain failed");
  return [bind.local_port, alloc.port];
}

/**
 * Hash of the model's state without CPU TLB bookkeeping and vCPU run time: a hypercall that fails
 * still ran on its CPU (the calling vCPU entered it and spent cycles), which m.stateHash() records.
 */
export function modelHash(m: ReturnType<typeof createMachine>, xen: Xen): string {
  const s = xen.state();
  // vCPU runtime is spent time, like the CPU clocks m.stateHash() leaves out: failing still costs cycles.
  const domains = [...s.domains.values()].map((d) => ({ ...d, vcpus: d.vcpus.map((v) => ({ ...v, runtime: 0 })) }));
  return hashValue({ memory: m.memory.save(), rng: m.rng.save(), events: m.pendingEvents, xen: { ...s, domains } });
}
