/**
 * Hypercall numbers, special domain ids, VIRQs and the shared_info / vcpu_info layout.
 * Models Xen 4.23-unstable, xen-project/xen c447b7308b13 (reference/xen.md §1.1, §2).
 * Source: xen/include/public/xen.h unless a line says otherwise.
 */

/** `__HYPERVISOR_*`: the hypercall number (RAX for a PV or HVM guest's hypercall page entry). */
export const Hypercall = {
  __HYPERVISOR_set_trap_table: 0,
  __HYPERVISOR_mmu_update: 1,
  __HYPERVISOR_set_gdt: 2,
  __HYPERVISOR_stack_switch: 3,
  __HYPERVISOR_set_callbacks: 4,
  __HYPERVISOR_fpu_taskswitch: 5,
  __HYPERVISOR_sched_op_compat: 6, // old; since 0x00030101 use sched_op (29)
  __HYPERVISOR_platform_op: 7, // dom0_op before 0x00030204
  __HYPERVISOR_set_debugreg: 8,
  __HYPERVISOR_get_debugreg: 9,
  __HYPERVISOR_update_descriptor: 10,
  // 11: unused
  __HYPERVISOR_memory_op: 12,
  __HYPERVISOR_multicall: 13,
  __HYPERVISOR_update_va_mapping: 14,
  __HYPERVISOR_set_timer_op: 15,
  __HYPERVISOR_event_channel_op_compat: 16, // old; since 0x00030202 use event_channel_op (32)
  __HYPERVISOR_xen_version: 17,
  __HYPERVISOR_console_io: 18,
  __HYPERVISOR_physdev_op_compat: 19,
  __HYPERVISOR_grant_table_op: 20,
  __HYPERVISOR_vm_assist: 21,
  __HYPERVISOR_update_va_mapping_otherdomain: 22,
  __HYPERVISOR_iret: 23, // x86 only
  __HYPERVISOR_vcpu_op: 24,
  __HYPERVISOR_set_segment_base: 25, // x86-64 only
  __HYPERVISOR_mmuext_op: 26,
  __HYPERVISOR_xsm_op: 27,
  __HYPERVISOR_nmi_op: 28,
  __HYPERVISOR_sched_op: 29,
  __HYPERVISOR_callback_op: 30,
  __HYPERVISOR_xenoprof_op: 31, // dropped in Xen 4.22
  __HYPERVISOR_event_channel_op: 32,
  __HYPERVISOR_physdev_op: 33,
  __HYPERVISOR_hvm_op: 34,
  __HYPERVISOR_sysctl: 35,
  __HYPERVISOR_domctl: 36,
  __HYPERVISOR_kexec_op: 37,
  __HYPERVISOR_tmem_op: 38,
  __HYPERVISOR_argo_op: 39,
  __HYPERVISOR_xenpmu_op: 40,
  __HYPERVISOR_dm_op: 41,
  __HYPERVISOR_hypfs_op: 42,
  // 48..55: __HYPERVISOR_arch_0 .. arch_7
} as const;
export type Hypercall = (typeof Hypercall)[keyof typeof Hypercall];

export const {
  __HYPERVISOR_memory_op, __HYPERVISOR_multicall, __HYPERVISOR_grant_table_op, __HYPERVISOR_sched_op,
  __HYPERVISOR_event_channel_op, __HYPERVISOR_domctl, __HYPERVISOR_xen_version, __HYPERVISOR_console_io, __HYPERVISOR_vcpu_op,
} = Hypercall;

/** `domid_t` specials. DOMID_FIRST_RESERVED = DOMID_SELF: every id from here up is not a real domain. */
export const DomId = {
  DOMID_FIRST_RESERVED: 0x7ff0,
  DOMID_SELF: 0x7ff0,
  DOMID_IO: 0x7ff1,
  DOMID_XEN: 0x7ff2,
  DOMID_COW: 0x7ff3,
  DOMID_INVALID: 0x7ff4,
  DOMID_ANY: 0x7ff5, // createdomain: "pick one" (xen/common/domid.c)
  DOMID_IDLE: 0x7fff,
  DOMID_MASK: 0x7fff,
} as const;
export const { DOMID_FIRST_RESERVED, DOMID_SELF, DOMID_IO, DOMID_XEN, DOMID_COW, DOMID_INVALID, DOMID_ANY, DOMID_IDLE, DOMID_MASK } = DomId;

/**
 * `VIRQ_*`: virtual interrupts Xen raises. Kind: V = per vCPU, D = per domain, G = global (one owning
 * domain at a time, by default the hardware domain). NR_VIRQS = 24.
 */
export const Virq = {
  VIRQ_TIMER: 0, // V: timebase update / timer expiry
  VIRQ_DEBUG: 1, // V: request guest to dump debug info
  VIRQ_CONSOLE: 2, // G: bytes received on the emergency console
  VIRQ_DOM_EXC: 3, // G: a domain shut down or was destroyed
  VIRQ_TBUF: 4, // G: trace buffer has records
  // 5: unused
  VIRQ_DEBUGGER: 6, // G: a domain was paused for the debugger
  VIRQ_XENOPROF: 7, // V
  VIRQ_CON_RING: 8, // G: console ring has new output
  VIRQ_PCPU_STATE: 9, // G
  VIRQ_MEM_EVENT: 10, // G
  VIRQ_ARGO: 11, // D
  VIRQ_ENOMEM: 12, // G: Xen is low on heap memory
  VIRQ_XENPMU: 13, // V
  VIRQ_ARCH_0: 16, // x86: VIRQ_MCA
} as const;
export const { VIRQ_TIMER, VIRQ_DEBUG, VIRQ_CONSOLE, VIRQ_DOM_EXC, VIRQ_TBUF, VIRQ_DEBUGGER, VIRQ_XENOPROF, VIRQ_CON_RING, VIRQ_PCPU_STATE, VIRQ_MEM_EVENT, VIRQ_ARGO, VIRQ_ENOMEM, VIRQ_XENPMU } = Virq;
export const NR_VIRQS = 24;

/** Per-vCPU VIRQs (xen.h: "V" entries, plus VIRQ_ARCH_* treated as global on x86). */
export const PER_VCPU_VIRQS: ReadonlySet<number> = new Set([VIRQ_TIMER, VIRQ_DEBUG, VIRQ_XENOPROF, VIRQ_XENPMU]);
/** Per-domain VIRQs ("D"). Every other number below NR_VIRQS is global ("G"). */
export const PER_DOMAIN_VIRQS: ReadonlySet<number> = new Set([VIRQ_ARGO]);

/**
 * shared_info and vcpu_info byte layout, x86-64 (sizes measured in reference/xen.md §1.1:
 * shared_info 3136 B, vcpu_info 64 B). xen_ulong_t is 64 bits, so 2-level event channels have
 * 64 × 64 = 4096 ports and the selector bit of port p is p / 64.
 */
export const SharedInfoLayout = {
  XEN_LEGACY_MAX_VCPUS: 32,
  vcpu_info_size: 64,
  /** vcpu_info: u8 evtchn_upcall_pending @0, u8 evtchn_upcall_mask @1, xen_ulong_t evtchn_pending_sel @8, arch @16, time @32. */
  evtchn_upcall_pending: 0,
  evtchn_upcall_mask: 1,
  evtchn_pending_sel: 8,
  time: 32,
  /** shared_info: vcpu_info[32] @0, evtchn_pending[64] @2048, evtchn_mask[64] @2560, wc_version @3072. */
  evtchn_pending: 2048,
  evtchn_mask: 2560,
  wc_version: 3072,
  wc_sec: 3076,
  wc_nsec: 3080,
  wc_sec_hi: 3084,
  arch: 3088,
  size: 3136,
} as const;

/** Ports of the 2-level ABI: BITS_PER_EVTCHN_WORD² = 64² for 64-bit guests (event_channel.h). */
export const EVTCHN_2L_NR_CHANNELS = 4096;
