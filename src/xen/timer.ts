/**
 * vCPU timers: the periodic timer (VCPUOP_set_periodic_timer) and the single-shot timer
 * (VCPUOP_set_singleshot_timer, __HYPERVISOR_set_timer_op), each delivering VIRQ_TIMER to the
 * vCPU's bound port. Expiries are machine events at simulated times, never the host's clock.
 * Sources at c447b7308b13: xen/common/sched/core.c (vcpu_set_periodic_timer,
 * vcpu_periodic_timer_work_locked, do_set_timer_op, vcpu_singleshot_timer_fn), xen/common/domain.c
 * (common_vcpu_op).
 * Xen stops a vCPU's periodic timer whenever the vCPU is descheduled (sched_context_switch) and
 * catches up when it runs again: a blocked, offline or paused vCPU gets no periodic ticks, and one
 * that was away for more than a period gets a single tick on its return. The single-shot timer keeps
 * running regardless (it is what wakes an idle Linux guest).
 * Deviation: Xen gives PV vCPUs a 10 ms periodic timer at creation (arch/x86/pv/domain.c); here a
 * vCPU has none until it sets one, so that an idle machine stays idle and run({ until }) ends. Linux
 * stops that default timer at boot anyway (xen_timer_resume / VCPUOP_stop_periodic_timer).
 */
import { VIRQ_TIMER } from "./abi/xen.js";
import { domainRunnable } from "./domain.js";
import { raiseVirq } from "./evtchn.js";
import type { Hv } from "./hv.js";
import { nsToCycles } from "./runstate.js";
import { VcpuRun, type DomainState, type VcpuState } from "./state.js";

export interface TimerEvent {
  domid: number;
  vcpu: number;
  seq: number;
}

/** Largest future offset set_timer_op takes at face value: 2^50 ns (about 13 days). */
const SET_TIMER_OP_MAX_OFFSET_NS = 2 ** 50;
/** What do_set_timer_op does with a wrapped or absurd timeout: fire in 100 ms. */
const HUGE_TIMEOUT_FALLBACK_NS = 100_000_000;

/** send_timer_event: VIRQ_TIMER to this vCPU (nothing if the guest has not bound it). */
function sendTimerEvent(hv: Hv, d: DomainState, v: VcpuState): void {
  raiseVirq(hv, d, VIRQ_TIMER, v.id);
}

/** Is the vCPU where the scheduler would run it (so its periodic timer is live)? */
function scheduled(d: DomainState, v: VcpuState): boolean {
  return v.run === VcpuRun.runnable && domainRunnable(d) && !v.parked;
}

/** vcpu_periodic_timer_work_locked: deliver a tick if one is due, then queue the next expiry. */
function periodicWork(hv: Hv, d: DomainState, v: VcpuState): void {
  const now = hv.m.now(v.processor);
  const period = nsToCycles(hv, v.periodicNs);
  let next = v.periodicLast + period;
  if (now >= next) {
    sendTimerEvent(hv, d, v);
    v.periodicLast = now;
    next = now + period;
  }
  v.periodicSeq++;
  v.periodicArmed = true;
  hv.m.schedule(v.processor, next, "xen.periodic_timer", { domid: d.domid, vcpu: v.id, seq: v.periodicSeq });
}

/** vcpu_set_periodic_timer: stop the timer, take the new period (0 = none), and start it if set. */
export function setPeriodicTimer(hv: Hv, d: DomainState, v: VcpuState, periodNs: number): void {
  v.periodicSeq++;
  v.periodicArmed = false;
  v.periodicNs = periodNs;
  if (periodNs !== 0) periodicWork(hv, d, v);
}

/** The periodic expiry fired: tick if the vCPU is scheduled, else stop until it runs again. */
export function periodicTimerFired(hv: Hv, p: TimerEvent): void {
  const d = hv.domain(p.domid);
  const v = d?.vcpus[p.vcpu];
  if (d === undefined || v === undefined || v.periodicSeq !== p.seq || v.periodicNs === 0) return;
  hv.cpu = v.processor;
  if (scheduled(d, v)) periodicWork(hv, d, v);
  else v.periodicArmed = false;
}

/** The vCPU runs again (woken, brought up, unpaused, unparked): restart a stopped periodic timer. */
export function resumePeriodicTimer(hv: Hv, d: DomainState, v: VcpuState): void {
  if (v.periodicNs !== 0 && !v.periodicArmed && scheduled(d, v)) periodicWork(hv, d, v);
}

/** Arm the single-shot timer at `at` (cycles); an expiry in the past fires as soon as the machine runs. */
export function setSingleshotTimer(hv: Hv, d: DomainState, v: VcpuState, at: number): void {
  v.singleshotSeq++;
  v.singleshotAt = at;
  hv.m.schedule(v.processor, Math.max(at, hv.m.now(v.processor)), "xen.singleshot_timer", { domid: d.domid, vcpu: v.id, seq: v.singleshotSeq });
}

export function stopSingleshotTimer(v: VcpuState): void {
  v.singleshotSeq++;
  v.singleshotAt = -1;
}

/** VCPUOP_set_singleshot_timer with a timeout already passed: Xen stops the timer and sends the event at once. */
export function fireSingleshotNow(hv: Hv, d: DomainState, v: VcpuState): void {
  stopSingleshotTimer(v);
  sendTimerEvent(hv, d, v);
}

export function singleshotTimerFired(hv: Hv, p: TimerEvent): void {
  const d = hv.domain(p.domid);
  const v = d?.vcpus[p.vcpu];
  if (d === undefined || v === undefined || v.singleshotSeq !== p.seq || v.singleshotAt < 0) return;
  hv.cpu = v.processor;
  v.singleshotAt = -1;
  sendTimerEvent(hv, d, v);
}

/**
 * __HYPERVISOR_set_timer_op(timeout): the caller's single-shot timer at absolute system time
 * `timeout` (ns); 0 stops it; a negative timeout or one more than 2^50 ns ahead fires in 100 ms
 * (do_set_timer_op's workaround for Linux jiffy wrap). Always returns 0.
 */
export function setTimerOp(hv: Hv, d: DomainState, v: VcpuState, timeout: unknown): number {
  const t = typeof timeout === "bigint" ? Number(BigInt.asIntN(64, timeout)) : typeof timeout === "number" ? timeout : 0;
  const now = hv.m.now(v.processor);
  if (t === 0) {
    stopSingleshotTimer(v);
    return 0;
  }
  const nowNs = (now * 1e9) / hv.m.costs.hz;
  const offset = t - nowNs;
  if (t < 0 || (offset > 0 && offset >= SET_TIMER_OP_MAX_OFFSET_NS)) setSingleshotTimer(hv, d, v, now + nsToCycles(hv, HUGE_TIMEOUT_FALLBACK_NS));
  else setSingleshotTimer(hv, d, v, nsToCycles(hv, t));
  return 0;
}
