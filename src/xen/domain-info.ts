/**
 * XEN_DOMCTL_getdomaininfo's answer, struct xen_domctl_getdomaininfo (domctl.h; getdomaininfo() in
 * xen/common/domctl.c at c447b7308b13). Since Xen 4.18 the domctl answers for exactly the domain
 * named (-ESRCH otherwise) rather than the next one up.
 */
import { Dominf, XEN_DOMCTL_CDF_hap, XEN_DOMCTL_CDF_hvm } from "./abi/domctl.js";
import type { Hv } from "./hv.js";
import { VcpuRun, type DomainState, type VcpuState } from "./state.js";

export interface DomainInfo {
  domain: number;
  flags: number;
  tot_pages: number;
  max_pages: number;
  outstanding_pages: number;
  shr_pages: number;
  paged_pages: number;
  shared_info_frame: number;
  /** ns */
  cpu_time: number;
  nr_online_vcpus: number;
  max_vcpu_id: number;
  ssidref: number;
  handle: number[];
  cpupool: number;
  gpaddr_bits: number;
}

export function getDomainInfo(hv: Hv, d: DomainState): DomainInfo {
  const online = d.vcpus.filter((v) => v.run !== VcpuRun.offline);
  const blocked = online.length > 0 && online.every((v) => v.run === VcpuRun.blocked || v.run === VcpuRun.polling);
  const running = !blocked && d.controllerPauseCount === 0 && !d.isShutdown && d.dying === 0;
  let flags = 0;
  if (d.dying !== 0) flags |= Dominf.XEN_DOMINF_dying;
  if ((d.flags & XEN_DOMCTL_CDF_hvm) !== 0) flags |= Dominf.XEN_DOMINF_hvm_guest;
  if ((d.flags & XEN_DOMCTL_CDF_hap) !== 0) flags |= Dominf.XEN_DOMINF_hap;
  if (d.isShutdown) flags |= Dominf.XEN_DOMINF_shutdown | ((d.shutdownCode & Dominf.XEN_DOMINF_shutdownmask) << Dominf.XEN_DOMINF_shutdownshift);
  if (d.controllerPauseCount > 0) flags |= Dominf.XEN_DOMINF_paused;
  if (blocked) flags |= Dominf.XEN_DOMINF_blocked;
  if (running) flags |= Dominf.XEN_DOMINF_running;
  if (d.isXenstore) flags |= Dominf.XEN_DOMINF_xs_domain;
  const cycles = d.vcpus.reduce((s, v) => s + v.runtime, 0);
  return {
    domain: d.domid,
    flags: flags >>> 0,
    tot_pages: d.totPages,
    max_pages: d.maxPages,
    outstanding_pages: 0,
    shr_pages: 0,
    paged_pages: 0,
    shared_info_frame: d.sharedInfoFrame,
    cpu_time: Math.round((cycles / hv.m.costs.hz) * 1e9),
    nr_online_vcpus: online.length,
    max_vcpu_id: d.vcpus.length - 1,
    ssidref: d.ssidref,
    handle: d.handle.slice(),
    cpupool: 0,
    gpaddr_bits: 52,
  };
}

/** XEN_DOMCTL_getvcpuinfo's answer (struct xen_domctl_getvcpuinfo). */
export interface VcpuInfo {
  online: number;
  blocked: number;
  /** On its pCPU right now: the credit scheduler's current vCPU there. */
  running: number;
  /** ns of running (vcpu_runstate_get_running). */
  cpu_time: number;
  cpu: number;
}

export function getVcpuInfo(hv: Hv, d: DomainState, v: VcpuState): VcpuInfo {
  const running = v.run === VcpuRun.runnable && hv.s.sched.current[v.processor] === `${d.domid}:${v.id}`;
  return {
    online: v.run === VcpuRun.offline ? 0 : 1,
    blocked: v.run === VcpuRun.blocked || v.run === VcpuRun.polling ? 1 : 0,
    running: running ? 1 : 0,
    cpu_time: Math.round((v.runtime / hv.m.costs.hz) * 1e9),
    cpu: v.processor,
  };
}
