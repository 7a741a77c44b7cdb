/**
 * The one entry every hypercall goes through: decode the number, run the family's handler as the
 * calling vCPU, charge the primitives the path executed as one trace record, then the work it
 * caused on other CPUs (cross-CPU upcalls, wake-ups, TLB shootdowns after unmaps).
 * Hypercall numbers: xen/include/public/xen.h at c447b7308b13 (reference/xen.md §1.1).
 * Multicall (xen/common/multicall.c): one guest entry for a batch; each entry's rc lands in its
 * `result`; a multicall inside a multicall is refused with -EINVAL.
 */
import { XEN_EFAULT, XEN_EINVAL, XEN_ENOSYS, XEN_EPERM } from "./abi/errno.js";
import { XEN_DOMCTL_CDF_hvm } from "./abi/domctl.js";
import { Hypercall } from "./abi/xen.js";
import { isStruct } from "./decode.js";
import { domctl } from "./domctl.js";
import { eventChannelOp } from "./evtchn.js";
import { grantTableOp } from "./gnttab.js";
import type { Hv } from "./hv.js";
import { memoryOp } from "./memory.js";
import { schedOp } from "./schedop.js";
import { setTimerOp } from "./timer.js";
import { vcpuOp } from "./vcpuop.js";
import type { DomainState, VcpuState } from "./state.js";

type HypercallHandler = (hv: Hv, d: DomainState, v: VcpuState, a: readonly unknown[]) => number;

const notModelled: HypercallHandler = () => -XEN_ENOSYS;

/** XENVER_version (0) → (major << 16) | minor: this model is Xen 4.23-unstable. */
const xenVersion: HypercallHandler = (_hv, _d, _v, a) => (a[0] === 0 ? (4 << 16) | 23 : -XEN_ENOSYS);

/** CONSOLEIO_write for the console domain only (xsm_console_io: XSM_PRIV unless is_console). */
const consoleIo: HypercallHandler = (_hv, d, _v, a) => (a[0] !== 0 && a[0] !== 1 ? -XEN_ENOSYS : d.isPrivileged ? 0 : -XEN_EPERM);

function multicall(hv: Hv, d: DomainState, v: VcpuState, a: readonly unknown[]): number {
  const calls = a[0];
  const n = typeof a[1] === "number" ? a[1] : Array.isArray(calls) ? calls.length : 0;
  if (!Array.isArray(calls) || n > calls.length || n < 0) return -XEN_EFAULT;
  for (let i = 0; i < n; i++) {
    const c = calls[i];
    if (!isStruct(c) || typeof c.op !== "number" || !Array.isArray(c.args)) return -XEN_EFAULT;
  }
  for (let i = 0; i < n; i++) {
    const c = calls[i] as { op: number; args: unknown[]; result?: number };
    const h = c.op === Hypercall.__HYPERVISOR_multicall ? undefined : handlers[c.op as Hypercall];
    c.result = h === undefined ? (c.op === Hypercall.__HYPERVISOR_multicall ? -XEN_EINVAL : -XEN_ENOSYS) : h(hv, d, v, c.args);
  }
  hv.op = "multicall";
  hv.opArgs = { nr_calls: n };
  return 0;
}

const handlers: Record<Hypercall, HypercallHandler> = {
  [Hypercall.__HYPERVISOR_set_trap_table]: notModelled,
  [Hypercall.__HYPERVISOR_mmu_update]: notModelled,
  [Hypercall.__HYPERVISOR_set_gdt]: notModelled,
  [Hypercall.__HYPERVISOR_stack_switch]: notModelled,
  [Hypercall.__HYPERVISOR_set_callbacks]: notModelled,
  [Hypercall.__HYPERVISOR_fpu_taskswitch]: notModelled,
  [Hypercall.__HYPERVISOR_sched_op_compat]: notModelled,
  [Hypercall.__HYPERVISOR_platform_op]: notModelled,
  [Hypercall.__HYPERVISOR_set_debugreg]: notModelled,
  [Hypercall.__HYPERVISOR_get_debugreg]: notModelled,
  [Hypercall.__HYPERVISOR_update_descriptor]: notModelled,
  [Hypercall.__HYPERVISOR_memory_op]: (hv, d, _v, a) => memoryOp(hv, d, a[0], a[1]),
  [Hypercall.__HYPERVISOR_multicall]: multicall,
  [Hypercall.__HYPERVISOR_update_va_mapping]: notModelled,
  [Hypercall.__HYPERVISOR_set_timer_op]: (hv, d, v, a) => setTimerOp(hv, d, v, a[0]),
  [Hypercall.__HYPERVISOR_event_channel_op_compat]: notModelled,
  [Hypercall.__HYPERVISOR_xen_version]: xenVersion,
  [Hypercall.__HYPERVISOR_console_io]: consoleIo,
  [Hypercall.__HYPERVISOR_physdev_op_compat]: notModelled,
  [Hypercall.__HYPERVISOR_grant_table_op]: (hv, d, _v, a) => grantTableOp(hv, d, a[0], a[1], a[2]),
  [Hypercall.__HYPERVISOR_vm_assist]: notModelled,
  [Hypercall.__HYPERVISOR_update_va_mapping_otherdomain]: notModelled,
  [Hypercall.__HYPERVISOR_iret]: notModelled,
  [Hypercall.__HYPERVISOR_vcpu_op]: (hv, d, v, a) => vcpuOp(hv, d, v, a[0], a[1], a[2]),
  [Hypercall.__HYPERVISOR_set_segment_base]: notModelled,
  [Hypercall.__HYPERVISOR_mmuext_op]: notModelled,
  [Hypercall.__HYPERVISOR_xsm_op]: notModelled, // dummy XSM: xsm_do_xsm_op returns -ENOSYS
  [Hypercall.__HYPERVISOR_nmi_op]: notModelled,
  [Hypercall.__HYPERVISOR_sched_op]: (hv, d, v, a) => schedOp(hv, d, v, a[0], a[1]),
  [Hypercall.__HYPERVISOR_callback_op]: notModelled,
  [Hypercall.__HYPERVISOR_xenoprof_op]: notModelled,
  [Hypercall.__HYPERVISOR_event_channel_op]: (hv, d, _v, a) => eventChannelOp(hv, d, a[0], a[1]),
  [Hypercall.__HYPERVISOR_physdev_op]: notModelled,
  [Hypercall.__HYPERVISOR_hvm_op]: notModelled,
  [Hypercall.__HYPERVISOR_sysctl]: notModelled,
  [Hypercall.__HYPERVISOR_domctl]: (hv, d, _v, a) => domctl(hv, d, a[0]),
  [Hypercall.__HYPERVISOR_kexec_op]: notModelled,
  [Hypercall.__HYPERVISOR_tmem_op]: notModelled,
  [Hypercall.__HYPERVISOR_argo_op]: notModelled,
  [Hypercall.__HYPERVISOR_xenpmu_op]: notModelled,
  [Hypercall.__HYPERVISOR_dm_op]: notModelled,
  [Hypercall.__HYPERVISOR_hypfs_op]: notModelled,
};

export const hypercallNames: string[] = [];
for (const [name, nr] of Object.entries(Hypercall)) hypercallNames[nr] = name.slice("__HYPERVISOR_".length);

/** Run hypercall `nr` as vCPU `v` of `d`; returns what the guest sees in RAX. */
export function dispatch(hv: Hv, d: DomainState, v: VcpuState, nr: number, args: readonly unknown[]): number {
  const m = hv.m;
  const cpu = v.processor;
  const pcpu = m.cpus[cpu]!;
  if (pcpu.current !== d.space) pcpu.enter(d.space);
  hv.cpu = cpu;
  hv.inCall = true;
  const entry = (d.flags & XEN_DOMCTL_CDF_hvm) !== 0 ? hv.rates.xen_hvm_hypercall : hv.rates.xen_pv_hypercall;
  hv.cycles = entry.cycles;
  hv.primsLo = entry.lo;
  hv.primsHi = entry.hi;
  hv.remote.clear(); // anything left over by a call that threw
  hv.opArgs = undefined;
  hv.op = hypercallNames[nr] ?? "unknown_hypercall";
  let rc: number;
  try {
    const h = handlers[nr as Hypercall];
    rc = h === undefined ? -XEN_ENOSYS : h(hv, d, v, args);
  } finally {
    hv.inCall = false;
  }
  v.runtime += m.account(cpu, hv.cycles, "xen", hv.op, d.actor, hv.opArgs, hv.primsLo >>> 0, hv.primsHi >>> 0);
  if (hv.remote.length !== 0) chargeRemote(hv, cpu);
  const flush = hv.flushSpace;
  if (flush !== undefined) {
    hv.flushSpace = undefined;
    m.tlbShootdown(cpu, flush.space, "xen", flush.actor);
  }
  return rc;
}

/** The work the call caused on other CPUs, each starting no earlier than the caller's clock. */
function chargeRemote(hv: Hv, cpu: number): void {
  const m = hv.m;
  const remote = hv.remote;
  // Outside the call nothing queues (addOn charges at once), so the queue can be read in place.
  const n = remote.length;
  remote.clear();
  for (let i = 0; i < n; i++) {
    const on = remote.cpu(i);
    m.idleUntil(on, m.now(cpu));
    m.chargeRate(on, remote.rate(i), "xen", remote.op(i), remote.actor(i));
  }
}
