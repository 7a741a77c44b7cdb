/**
 * Domain control ABI: the subset of XEN_DOMCTL_* this model handles, createdomain flags and
 * getdomaininfo flags. Source: xen-project/xen c447b7308b13, xen/include/public/domctl.h
 * (reference/xen.md §1.6). Call: domctl({cmd, interface_version, domain, u: {<op>: {…}}}).
 */
export const XEN_DOMCTL_INTERFACE_VERSION = 0x18;

export const Domctl = {
  /** IN u.createdomain{flags, max_vcpus, max_evtchn_port, max_grant_frames, max_maptrack_frames, grant_opts, ssidref, handle}; IN/OUT domain. */
  XEN_DOMCTL_createdomain: 1,
  /** IN domain. Channels closed, grants released, memory returned. */
  XEN_DOMCTL_destroydomain: 2,
  /** IN domain. Nests up to 255. */
  XEN_DOMCTL_pausedomain: 3,
  /** IN domain. The first unpause finishes creation. */
  XEN_DOMCTL_unpausedomain: 4,
  /** IN domain → OUT u.getdomaininfo{domain, flags, tot_pages, max_pages, shared_info_frame, cpu_time, nr_online_vcpus, max_vcpu_id, ssidref, handle, …}. */
  XEN_DOMCTL_getdomaininfo: 5,
  XEN_DOMCTL_setvcpuaffinity: 9,
  /** IN u.max_mem.max_memkb. */
  XEN_DOMCTL_max_mem: 11,
  /** IN u.vcpucontext{vcpu, ctxt}: ctxt null resets the vCPU (down, uninitialised); else initialises it (up iff VGCF_online). */
  XEN_DOMCTL_setvcpucontext: 12,
  /** IN u.getvcpuinfo.vcpu → OUT online, blocked, running, cpu_time (ns), cpu. */
  XEN_DOMCTL_getvcpuinfo: 14,
  XEN_DOMCTL_max_vcpus: 15,
  /** IN/OUT u.scheduler_op{sched_id, cmd (XEN_DOMCTL_SCHEDOP_*), u.credit{weight, cap}}. */
  XEN_DOMCTL_scheduler_op: 16,
  XEN_DOMCTL_setdomainhandle: 17,
  XEN_DOMCTL_resumedomain: 27,
  /** IN u.set_target.target: the caller's domain becomes device model of target (XSM_DM_PRIV). */
  XEN_DOMCTL_set_target: 46,
  /** IN u.set_virq_handler.virq: the domain becomes owner of a global VIRQ. */
  XEN_DOMCTL_set_virq_handler: 66,
} as const;
export type Domctl = (typeof Domctl)[keyof typeof Domctl];
export const {
  XEN_DOMCTL_createdomain, XEN_DOMCTL_destroydomain, XEN_DOMCTL_pausedomain, XEN_DOMCTL_unpausedomain, XEN_DOMCTL_getdomaininfo,
  XEN_DOMCTL_max_mem, XEN_DOMCTL_set_target, XEN_DOMCTL_set_virq_handler, XEN_DOMCTL_setvcpuaffinity,
  XEN_DOMCTL_setvcpucontext, XEN_DOMCTL_getvcpuinfo, XEN_DOMCTL_scheduler_op,
} = Domctl;

/** XEN_SCHEDULER_*: scheduler ids (4, SEDF, removed). */
export const XenScheduler = {
  XEN_SCHEDULER_CREDIT: 5,
  XEN_SCHEDULER_CREDIT2: 6,
  XEN_SCHEDULER_ARINC653: 7,
  XEN_SCHEDULER_RTDS: 8,
  XEN_SCHEDULER_NULL: 9,
} as const;
export const { XEN_SCHEDULER_CREDIT, XEN_SCHEDULER_CREDIT2 } = XenScheduler;

/** XEN_DOMCTL_SCHEDOP_*: scheduler_op commands (credit has no per-vCPU parameters: those are -EINVAL). */
export const XEN_DOMCTL_SCHEDOP_putinfo = 0;
export const XEN_DOMCTL_SCHEDOP_getinfo = 1;
export const XEN_DOMCTL_SCHEDOP_putvcpuinfo = 2;
export const XEN_DOMCTL_SCHEDOP_getvcpuinfo = 3;

/** `XEN_DOMCTL_CDF_*`: createdomain flags (bit numbers as in domctl.h). */
export const Cdf = {
  XEN_DOMCTL_CDF_hvm: 1 << 0,
  XEN_DOMCTL_CDF_hap: 1 << 1,
  XEN_DOMCTL_CDF_s3_integrity: 1 << 2,
  XEN_DOMCTL_CDF_oos_off: 1 << 3,
  XEN_DOMCTL_CDF_xs_domain: 1 << 4,
  XEN_DOMCTL_CDF_iommu: 1 << 5,
  XEN_DOMCTL_CDF_nested_virt: 1 << 6,
  XEN_DOMCTL_CDF_vpmu: 1 << 7,
  XEN_DOMCTL_CDF_trap_unmapped_accesses: 1 << 8,
} as const;
export const { XEN_DOMCTL_CDF_hvm, XEN_DOMCTL_CDF_hap, XEN_DOMCTL_CDF_xs_domain, XEN_DOMCTL_CDF_iommu } = Cdf;
export const XEN_DOMCTL_CDF_MAX = Cdf.XEN_DOMCTL_CDF_trap_unmapped_accesses;

/** grant_opts: low 4 bits = max grant version; 0xf = the hypervisor's default; bit 4 = allow transitive grants. */
export const XEN_DOMCTL_GRANT_version_mask = 0xf;
export const XEN_DOMCTL_GRANT_version_default = 0xf;
export const XEN_DOMCTL_GRANT_transitive = 1 << 4;

/** `XEN_DOMINF_*`: getdomaininfo flags; the shutdown code sits in bits 16–23. */
export const Dominf = {
  XEN_DOMINF_dying: 1 << 0,
  XEN_DOMINF_hvm_guest: 1 << 1,
  XEN_DOMINF_shutdown: 1 << 2,
  XEN_DOMINF_paused: 1 << 3,
  XEN_DOMINF_blocked: 1 << 4,
  XEN_DOMINF_running: 1 << 5,
  XEN_DOMINF_debugged: 1 << 6,
  XEN_DOMINF_xs_domain: 1 << 7,
  XEN_DOMINF_hap: 1 << 8,
  XEN_DOMINF_shutdownshift: 16,
  XEN_DOMINF_shutdownmask: 255,
} as const;
export const { XEN_DOMINF_dying, XEN_DOMINF_hvm_guest, XEN_DOMINF_shutdown, XEN_DOMINF_paused, XEN_DOMINF_blocked, XEN_DOMINF_running, XEN_DOMINF_xs_domain } = Dominf;

/** Upper bound on max_vcpus this model accepts (x86 HVM_MAX_VCPUS = 128). */
export const MAX_VIRT_CPUS = 128;
