/**
 * vCPU ABI: VCPUOP_* sub-ops of __HYPERVISOR_vcpu_op (24), runstates and timer flags.
 * Call: vcpu_op(cmd, vcpuid, extra_args). Source: xen-project/xen c447b7308b13,
 * xen/include/public/vcpu.h (numbers, structs); behaviour in xen/common/domain.c common_vcpu_op and
 * xen/arch/x86/domain.c do_vcpu_op. reference/xen.md §1.1 gives only the hypercall number.
 */
export const VcpuOp = {
  /** Give a vCPU its first context; once only (-EEXIST after). IN vcpu_guest_context. */
  VCPUOP_initialise: 0,
  /** Make an initialised vCPU runnable (-EINVAL if never initialised). arg: none. */
  VCPUOP_up: 1,
  /** Make a vCPU non-runnable; the last one going down powers the domain off. arg: none. */
  VCPUOP_down: 2,
  /** Returns 1 if the vCPU is up, else 0. arg: none. */
  VCPUOP_is_up: 3,
  /** OUT vcpu_runstate_info {state, state_entry_time, time[4]} (ns). */
  VCPUOP_get_runstate_info: 4,
  /** IN addr (a guest linear address on x86): a runstate copy Xen keeps updated. */
  VCPUOP_register_runstate_memory_area: 5,
  /** IN period_ns (≥ 1 ms): VIRQ_TIMER every period while the vCPU runs. */
  VCPUOP_set_periodic_timer: 6,
  VCPUOP_stop_periodic_timer: 7,
  /** IN timeout_abs_ns, flags (VCPU_SSHOTTMR_*): one VIRQ_TIMER at that system time. Own vCPU only. */
  VCPUOP_set_singleshot_timer: 8,
  VCPUOP_stop_singleshot_timer: 9,
  /** IN mfn, offset, rsvd: move vcpu_info out of shared_info; once only (-EBUSY after). */
  VCPUOP_register_vcpu_info: 10,
  VCPUOP_send_nmi: 11,
  /** OUT phys_id (hardware domain's pinned vCPUs only, else -EINVAL). */
  VCPUOP_get_physid: 12,
  VCPUOP_register_vcpu_time_memory_area: 13,
  /** IN addr.p: a guest-physical address for the runstate copy; ~0 unregisters. */
  VCPUOP_register_runstate_phys_area: 14,
  VCPUOP_register_vcpu_time_phys_area: 15,
} as const;
export type VcpuOp = (typeof VcpuOp)[keyof typeof VcpuOp];
export const {
  VCPUOP_initialise, VCPUOP_up, VCPUOP_down, VCPUOP_is_up, VCPUOP_get_runstate_info, VCPUOP_register_runstate_memory_area,
  VCPUOP_set_periodic_timer, VCPUOP_stop_periodic_timer, VCPUOP_set_singleshot_timer, VCPUOP_stop_singleshot_timer,
  VCPUOP_register_vcpu_info, VCPUOP_send_nmi, VCPUOP_get_physid, VCPUOP_register_vcpu_time_memory_area,
  VCPUOP_register_runstate_phys_area, VCPUOP_register_vcpu_time_phys_area,
} = VcpuOp;

/** RUNSTATE_*: vcpu_runstate_info.state and the index into its time[4]. */
export const Runstate = {
  RUNSTATE_running: 0,
  RUNSTATE_runnable: 1,
  RUNSTATE_blocked: 2,
  RUNSTATE_offline: 3,
} as const;
export const { RUNSTATE_running, RUNSTATE_runnable, RUNSTATE_blocked, RUNSTATE_offline } = Runstate;

/**
 * struct vcpu_runstate_info on x86-64: int state @0 (4 bytes of padding follow), u64
 * state_entry_time @8, u64 time[4] @16 — 48 bytes (natural alignment of the header's types).
 */
export const VCPU_RUNSTATE_INFO_SIZE = 48;

/** Flags of VCPUOP_set_singleshot_timer: require a future timeout (the hypervisor may ignore it). */
export const VCPU_SSHOTTMR_future = 1 << 0;

/** Smallest periodic-timer period (common_vcpu_op: period_ns < MILLISECS(1) → -EINVAL). */
export const PERIODIC_MIN_NS = 1_000_000;
/** STIME_DELTA_MAX (xen/include/xen/time.h): ~0ULL >> 2; larger periods → -EINVAL. */
export const STIME_DELTA_MAX = 2 ** 62 - 1;
