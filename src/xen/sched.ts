/**
 * vCPU scheduling: where vCPUs run, how events wake them, and SCHEDOP_block / yield / poll.
 * Sources: xen/common/sched/core.c (do_poll, vcpu_block_enable_events), xen/common/event_channel.c
 * (evtchn_check_pollers), xen/include/xen/event.h (vcpu_mark_events_pending) at c447b7308b13.
 * The scheduler proper (which runnable vCPU a pCPU runs next) is in sched-credit.ts; run-state
 * changes go through runstate.ts setRun.
 */
import { XEN_EFAULT, XEN_EINVAL } from "./abi/errno.js";
import { EvtchnFifo } from "./abi/evtchn.js";
import { EVTCHN_2L_NR_CHANNELS } from "./abi/xen.js";
import { setUpcallMask, testAndSetUpcallPending, upcallMasked, upcallPending } from "./evtchn-2l.js";
import type { Hv } from "./hv.js";
import { VcpuRun, type DomainState, type Port, type VcpuState } from "./state.js";
import { portPending } from "./evtchn-port.js";
import { setRun } from "./runstate.js";
import { creditWake } from "./sched-credit.js";
import { resumePeriodicTimer } from "./timer.js";

/** Most ports one SCHEDOP_poll may name (do_poll: nr_ports > 128 → -EINVAL). */
export const POLL_MAX_PORTS = 128;

/**
 * vcpu_mark_events_pending: set evtchn_upcall_pending; if it was clear, kick the vCPU — the upcall
 * is delivered on its pCPU: on the sender's own CPU that is the same-CPU cost, elsewhere the
 * cross-CPU one; a blocked vCPU is woken as well.
 */
export function markEventsPending(hv: Hv, d: DomainState, vcpu: number): void {
  if (testAndSetUpcallPending(hv.page(d.sharedInfoFrame), vcpu)) return;
  const v = d.vcpus[vcpu]!;
  const local = !hv.inCall || v.processor === hv.cpu;
  hv.addOn(v.processor, local ? hv.rates.evtchn_send_local : hv.rates.evtchn_send_remote, "evtchn_upcall", d.actor);
  if (v.run === VcpuRun.blocked || v.run === VcpuRun.polling) wake(hv, d, v);
}

/** vcpu_unblock: a blocked or polling vCPU becomes runnable; switching to it costs a VM switch. */
export function wake(hv: Hv, d: DomainState, v: VcpuState): void {
  if (v.run === VcpuRun.polling) {
    d.evtchn.pollers--;
    v.pollPorts = [];
    v.pollDeadline = Infinity;
  }
  setRun(hv, d, v, VcpuRun.runnable);
  v.wakeSeq++;
  v.threadResult = 0;
  hv.addOn(v.processor, hv.rates.vm_switch, "vcpu_wake", d.actor);
  creditWake(hv, v);
  resumePeriodicTimer(hv, d, v);
}

/** evtchn_check_pollers: wake every vCPU of `d` polling on `port` (masked or not). */
export function checkPollers(hv: Hv, d: DomainState, port: Port): void {
  for (const v of d.vcpus) if (v.run === VcpuRun.polling && v.pollPorts.includes(port)) wake(hv, d, v);
}

/** Are events waiting for this vCPU (local_events_need_delivery)? */
export function eventsNeedDelivery(hv: Hv, d: DomainState, v: VcpuState): boolean {
  const si = hv.page(d.sharedInfoFrame);
  return upcallPending(si, v.id) && !upcallMasked(si, v.id);
}

/**
 * SCHEDOP_block: re-enable event delivery (clear evtchn_upcall_mask), then block unless an event is
 * already waiting — checking after clearing avoids the lost-wake-up race.
 */
export function block(hv: Hv, d: DomainState, v: VcpuState): number {
  setUpcallMask(hv.page(d.sharedInfoFrame), v.id, false);
  if (!eventsNeedDelivery(hv, d, v)) setRun(hv, d, v, VcpuRun.blocked);
  return 0;
}

export interface SchedPoll {
  ports: number[];
  nr_ports: number;
  /** Absolute system time in ns at which to give up; 0 = wait for ever. */
  timeout: number;
}

/**
 * SCHEDOP_poll: return at once if any listed port is pending; otherwise block until one becomes
 * pending or the timeout passes. Works on masked ports (that is its point).
 */
export function poll(hv: Hv, d: DomainState, v: VcpuState, a: SchedPoll | undefined): number {
  if (a === undefined || !Array.isArray(a.ports) || a.nr_ports > a.ports.length) return -XEN_EFAULT;
  if (a.nr_ports > POLL_MAX_PORTS) return -XEN_EINVAL;
  const max = d.evtchn.abi === 0 ? EVTCHN_2L_NR_CHANNELS : EvtchnFifo.EVTCHN_FIFO_NR_CHANNELS;
  const ports = a.ports.slice(0, a.nr_ports);
  for (const p of ports) {
    if (!(p >>> 0 === p) || p >= max) return -XEN_EINVAL;
    if (p < d.evtchn.state.length && portPending(hv, d, p)) return 0;
  }
  setRun(hv, d, v, VcpuRun.polling);
  v.pollPorts = ports;
  d.evtchn.pollers++;
  if (a.timeout !== 0) {
    const at = (a.timeout * hv.m.costs.hz) / 1e9;
    v.pollDeadline = at;
    hv.m.schedule(v.processor, Math.max(at, hv.m.now(v.processor)), "xen.poll_timeout", { domid: d.domid, vcpu: v.id, seq: v.wakeSeq });
  }
  return 0;
}

/** The poll timer fired: wake the vCPU unless it was woken (and maybe blocked again) since. */
export function pollTimeout(hv: Hv, p: { domid: number; vcpu: number; seq: number }): void {
  const d = hv.domain(p.domid);
  const v = d?.vcpus[p.vcpu];
  if (d === undefined || v === undefined || v.wakeSeq !== p.seq || v.run !== VcpuRun.polling) return;
  hv.cpu = v.processor;
  wake(hv, d, v);
}

/** Upcalls on or off for a vCPU, as the guest sets evtchn_upcall_mask. */
export function setUpcallMasked(hv: Hv, d: DomainState, vcpu: number, masked: boolean): void {
  setUpcallMask(hv.page(d.sharedInfoFrame), vcpu, masked);
}
