/**
 * Scheduler ABI: SCHEDOP_* sub-ops of __HYPERVISOR_sched_op (29) and shutdown reasons.
 * Source: xen-project/xen c447b7308b13, xen/include/public/sched.h (reference/xen.md §1.4).
 */
export const SchedOp = {
  /** Give up the CPU; stay runnable. arg: none. */
  SCHEDOP_yield: 0,
  /** Block until an event is pending; clears evtchn_upcall_mask first (no lost wake-up). arg: none. */
  SCHEDOP_block: 1,
  /** Stop the domain. IN reason (SHUTDOWN_*). */
  SCHEDOP_shutdown: 2,
  /** Block until one of the ports is pending or the timeout passes. IN ports[], nr_ports, timeout (ns, absolute; 0 = none). */
  SCHEDOP_poll: 3,
  /** Shut another domain down (device-model privilege). IN domain_id, reason. */
  SCHEDOP_remote_shutdown: 4,
  /** Latch a reason reported at a later shutdown. IN reason. */
  SCHEDOP_shutdown_code: 5,
  /** IN id, timeout (s): id 0 creates (returns the id), timeout 0 destroys, else pokes. */
  SCHEDOP_watchdog: 6,
  /** IN pcpu (hardware domain only; not modelled). */
  SCHEDOP_pin_override: 7,
} as const;
export type SchedOp = (typeof SchedOp)[keyof typeof SchedOp];
export const {
  SCHEDOP_yield, SCHEDOP_block, SCHEDOP_shutdown, SCHEDOP_poll, SCHEDOP_remote_shutdown, SCHEDOP_shutdown_code, SCHEDOP_watchdog, SCHEDOP_pin_override,
} = SchedOp;

export const Shutdown = {
  SHUTDOWN_poweroff: 0,
  SHUTDOWN_reboot: 1,
  SHUTDOWN_suspend: 2,
  SHUTDOWN_crash: 3,
  SHUTDOWN_watchdog: 4,
  SHUTDOWN_soft_reset: 5,
} as const;
export const { SHUTDOWN_poweroff, SHUTDOWN_reboot, SHUTDOWN_suspend, SHUTDOWN_crash, SHUTDOWN_watchdog, SHUTDOWN_soft_reset } = Shutdown;
export const SHUTDOWN_MAX = 5;
/** Watchdog slots per domain (NR_DOMAIN_WATCHDOG_TIMERS, xen/include/xen/sched.h). */
export const NR_DOMAIN_WATCHDOG_TIMERS = 2;
