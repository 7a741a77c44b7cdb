/**
 * VCPUOP_* sub-ops of __HYPERVISOR_vcpu_op (24): vCPU bring-up and hot-unplug, runstate queries,
 * the periodic and single-shot timers, and the guest-physical runstate area.
 * Sources at c447b7308b13: xen/arch/x86/domain.c do_vcpu_op (the vcpuid check, x86-only ops),
 * xen/common/domain.c common_vcpu_op, default_initialise_vcpu, vcpu_reset, map_guest_area;
 * xen/include/public/vcpu.h.
 * Not modelled (-ENOSYS, with why): register_runstate_memory_area and
 * register_vcpu_time_memory_area take guest *linear* addresses and the model has no guest page
 * tables; register_vcpu_info would move vcpu_info out of shared_info, where the event-channel code
 * reads it; vcpu_time_info is not kept, so neither time area; NMIs are not delivered.
 */
import { XEN_EEXIST, XEN_EFAULT, XEN_EINVAL, XEN_ENOENT, XEN_ENOSYS, XEN_ENXIO } from "./abi/errno.js";
import { SHUTDOWN_poweroff } from "./abi/sched.js";
import { PERIODIC_MIN_NS, STIME_DELTA_MAX, VcpuOp, VCPU_RUNSTATE_INFO_SIZE } from "./abi/vcpu.js";
import { isStruct, type Struct } from "./decode.js";
import type { Hv } from "./hv.js";
import { cyclesToNs, nsToCycles, runstateInfo, setRun, writeRunstateArea } from "./runstate.js";
import { creditWake } from "./sched-credit.js";
import { shutdown } from "./schedop.js";
import { VcpuRun, type DomainState, type VcpuState } from "./state.js";
import { fireSingleshotNow, resumePeriodicTimer, setPeriodicTimer, setSingleshotTimer, stopSingleshotTimer } from "./timer.js";

/** vcpu_guest_context.flags: VGCF_online (bit 5, arch-x86/xen.h) — the context leaves the vCPU up. */
export const VGCF_online = 1 << 5;

type VcpuHandler = (hv: Hv, d: DomainState, caller: VcpuState, v: VcpuState, a: unknown) => number;

/** A u64 argument given as a number or a bigint. */
function u64(x: unknown): number | undefined {
  if (typeof x === "bigint") return Number(BigInt.asUintN(64, x));
  return typeof x === "number" && Number.isInteger(x) && x >= 0 ? x : undefined;
}

/** VCPUOP_up's effect: clear VPF_down and vcpu_wake. */
export function vcpuUp(hv: Hv, d: DomainState, v: VcpuState): void {
  if (v.run !== VcpuRun.offline) return;
  setRun(hv, d, v, VcpuRun.runnable);
  v.wakeSeq++;
  hv.addOn(v.processor, hv.rates.vm_switch, "vcpu_wake", d.actor);
  creditWake(hv, v);
  resumePeriodicTimer(hv, d, v);
}

/** VCPUOP_down's effect on one vCPU: set VPF_down (leaving SCHEDOP_poll if it was polling). */
export function vcpuDown(hv: Hv, d: DomainState, v: VcpuState): void {
  if (v.run === VcpuRun.offline) return;
  if (v.run === VcpuRun.polling) {
    d.evtchn.pollers--;
    v.pollPorts = [];
    v.pollDeadline = Infinity;
    v.wakeSeq++;
  }
  setRun(hv, d, v, VcpuRun.offline);
}

/** vcpu_reset (XEN_DOMCTL_setvcpucontext with no context): down, uninitialised, timers stopped. */
export function vcpuReset(hv: Hv, d: DomainState, v: VcpuState): void {
  vcpuDown(hv, d, v);
  v.initialised = false;
  stopSingleshotTimer(v);
  setPeriodicTimer(hv, d, v, 0);
  v.runstateArea = -1;
}

/** arch_set_info_guest's outcome for the model: initialised, up iff VGCF_online. */
export function vcpuSetContext(hv: Hv, d: DomainState, v: VcpuState, ctxt: Struct): void {
  v.initialised = true;
  const flags = typeof ctxt.flags === "number" ? ctxt.flags : 0;
  if ((flags & VGCF_online) !== 0) vcpuUp(hv, d, v);
  else vcpuDown(hv, d, v);
}

const initialise: VcpuHandler = (hv, d, _c, v, a) => {
  if (!isStruct(a)) return -XEN_EFAULT;
  if (v.initialised) return -XEN_EEXIST;
  vcpuSetContext(hv, d, v, a);
  return 0;
};

const up: VcpuHandler = (hv, d, _c, v) => {
  if (!v.initialised) return -XEN_EINVAL;
  vcpuUp(hv, d, v);
  return 0;
};

/** The last vCPU going down powers the domain off instead (domain_shutdown(SHUTDOWN_poweroff)). */
const down: VcpuHandler = (hv, d, _c, v) => {
  if (!d.vcpus.some((o) => o !== v && o.run !== VcpuRun.offline)) {
    shutdown(hv, d, SHUTDOWN_poweroff);
    return 0;
  }
  vcpuDown(hv, d, v);
  return 0;
};

const getRunstateInfo: VcpuHandler = (hv, _d, caller, v, a) => {
  if (!isStruct(a)) return -XEN_EFAULT;
  Object.assign(a, runstateInfo(hv, v, v === caller));
  return 0;
};

const setPeriodic: VcpuHandler = (hv, d, _c, v, a) => {
  if (!isStruct(a)) return -XEN_EFAULT;
  const period = u64(a.period_ns);
  if (period === undefined) return -XEN_EFAULT;
  if (period < PERIODIC_MIN_NS || period > STIME_DELTA_MAX) return -XEN_EINVAL;
  setPeriodicTimer(hv, d, v, period);
  return 0;
};

/** Only a vCPU's own single-shot timer may be set or stopped (v != current → -EINVAL). */
const setSingleshot: VcpuHandler = (hv, d, caller, v, a) => {
  if (v !== caller) return -XEN_EINVAL;
  if (!isStruct(a)) return -XEN_EFAULT;
  const timeout = u64(a.timeout_abs_ns);
  if (timeout === undefined) return -XEN_EFAULT;
  // VCPU_SSHOTTMR_future "can be ignored by the hypervisor", and Xen does: a passed timeout fires now.
  if (timeout < cyclesToNs(hv, hv.m.now(v.processor))) fireSingleshotNow(hv, d, v);
  else setSingleshotTimer(hv, d, v, nsToCycles(hv, timeout));
  return 0;
};

/** ~0 unregisters; otherwise the 48-byte area must sit in one page, 8-byte aligned (-ENXIO), in guest RAM (-EINVAL). */
const registerRunstatePhysArea: VcpuHandler = (hv, d, caller, v, a) => {
  const p = isStruct(a) ? (isStruct(a.addr) ? a.addr.p : a.p) : undefined;
  if (typeof p !== "number" && typeof p !== "bigint") return -XEN_EFAULT;
  const unmap = typeof p === "bigint" ? BigInt.asUintN(64, p) === 0xffff_ffff_ffff_ffffn : p === -1;
  if (unmap) {
    v.runstateArea = -1;
    return 0;
  }
  const gaddr = u64(p);
  if (gaddr === undefined) return -XEN_EFAULT;
  if (Math.floor(gaddr / 4096) !== Math.floor((gaddr + VCPU_RUNSTATE_INFO_SIZE - 1) / 4096) || gaddr % 8 !== 0) return -XEN_ENXIO;
  if (!d.p2m.has(Math.floor(gaddr / 4096))) return -XEN_EINVAL;
  v.runstateArea = gaddr;
  writeRunstateArea(hv, d, v, v === caller);
  return 0;
};

const notModelled: VcpuHandler = () => -XEN_ENOSYS;

const handlers: Record<VcpuOp, VcpuHandler> = {
  [VcpuOp.VCPUOP_initialise]: initialise,
  [VcpuOp.VCPUOP_up]: up,
  [VcpuOp.VCPUOP_down]: down,
  [VcpuOp.VCPUOP_is_up]: (_hv, _d, _c, v) => (v.run === VcpuRun.offline ? 0 : 1),
  [VcpuOp.VCPUOP_get_runstate_info]: getRunstateInfo,
  [VcpuOp.VCPUOP_register_runstate_memory_area]: notModelled,
  [VcpuOp.VCPUOP_set_periodic_timer]: setPeriodic,
  [VcpuOp.VCPUOP_stop_periodic_timer]: (hv, d, _c, v) => (setPeriodicTimer(hv, d, v, 0), 0),
  [VcpuOp.VCPUOP_set_singleshot_timer]: setSingleshot,
  [VcpuOp.VCPUOP_stop_singleshot_timer]: (_hv, _d, caller, v) => (v !== caller ? -XEN_EINVAL : (stopSingleshotTimer(v), 0)),
  [VcpuOp.VCPUOP_register_vcpu_info]: notModelled,
  [VcpuOp.VCPUOP_send_nmi]: notModelled,
  // Only the hardware domain's pinned vCPUs (dom0_vcpus_pin) have a physical id; the model pins none.
  [VcpuOp.VCPUOP_get_physid]: () => -XEN_EINVAL,
  [VcpuOp.VCPUOP_register_vcpu_time_memory_area]: notModelled,
  [VcpuOp.VCPUOP_register_runstate_phys_area]: registerRunstatePhysArea,
  [VcpuOp.VCPUOP_register_vcpu_time_phys_area]: notModelled,
};

const names: string[] = [];
for (const [name, nr] of Object.entries(VcpuOp)) names[nr] = name;

/** __HYPERVISOR_vcpu_op(cmd, vcpuid, extra_args): a vCPU of the caller's own domain (none → -ENOENT). */
export function vcpuOp(hv: Hv, d: DomainState, caller: VcpuState, cmd: unknown, vcpuid: unknown, a: unknown): number {
  const v = typeof vcpuid === "number" ? hv.vcpu(d, vcpuid) : undefined;
  if (v === undefined) return -XEN_ENOENT;
  const h = typeof cmd === "number" ? handlers[cmd as VcpuOp] : undefined;
  if (h === undefined) return -XEN_ENOSYS;
  hv.op = names[cmd as number]!;
  hv.opArgs = { vcpu: v.id };
  return h(hv, d, caller, v, a);
}
