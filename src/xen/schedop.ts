/**
 * SCHEDOP_* sub-ops of __HYPERVISOR_sched_op (29): yield, block, poll, shutdown, remote_shutdown,
 * shutdown_code, watchdog. Source: xen/common/sched/core.c do_sched_op and xen/common/domain.c
 * domain_watchdog at c447b7308b13; reference/xen.md §1.4.
 */
import { XEN_EFAULT, XEN_EINVAL, XEN_ENOSPC, XEN_ENOSYS, XEN_ESRCH } from "./abi/errno.js";
import { NR_DOMAIN_WATCHDOG_TIMERS, SchedOp, SHUTDOWN_watchdog } from "./abi/sched.js";
import { VIRQ_DOM_EXC } from "./abi/xen.js";
import { int, isStruct, type Struct } from "./decode.js";
import { shutdownDomain } from "./domain.js";
import { raiseVirq } from "./evtchn.js";
import type { Hv } from "./hv.js";
import { block, poll, type SchedPoll } from "./sched.js";
import type { DomainState, VcpuState } from "./state.js";
import { XSM_DM_PRIV, xsmDefaultAction } from "./xsm.js";

type SchedHandler = (hv: Hv, d: DomainState, v: VcpuState, a: unknown) => number;

/** Shut a domain down and tell the VIRQ_DOM_EXC owner. */
export function shutdown(hv: Hv, d: DomainState, reason: number): void {
  shutdownDomain(hv, d, reason, (virq) => {
    const owner = hv.domain(hv.s.virqOwner[virq] ?? 0);
    if (owner !== undefined) raiseVirq(hv, owner, VIRQ_DOM_EXC);
  });
}

function struct(a: unknown): Struct | undefined {
  return isStruct(a) ? a : undefined;
}

/** Seconds → cycles at the machine's clock. */
function seconds(hv: Hv, s: number): number {
  return s * hv.m.costs.hz;
}

/** Arm (or re-arm) a watchdog slot: it fires `timeout` seconds from now unless poked or destroyed. */
function armWatchdog(hv: Hv, d: DomainState, slot: number, timeout: number): void {
  d.watchdogs[slot] = timeout;
  d.watchdogSeq[slot]!++;
  hv.m.schedule(hv.cpu, hv.m.now(hv.cpu) + seconds(hv, timeout), "xen.watchdog", { domid: d.domid, slot, seq: d.watchdogSeq[slot] });
}

/** The watchdog timer fired: if the slot was not poked or destroyed since, shut the domain down (SHUTDOWN_watchdog). */
export function watchdogFired(hv: Hv, p: { domid: number; slot: number; seq: number }): void {
  const d = hv.domain(p.domid);
  if (d === undefined || d.watchdogSeq[p.slot] !== p.seq || d.watchdogs[p.slot] === -1) return;
  shutdown(hv, d, SHUTDOWN_watchdog);
}

const watchdog: SchedHandler = (hv, d, _v, a) => {
  const s = struct(a);
  if (s === undefined) return -XEN_EFAULT;
  const id = int(s, "id", "SCHEDOP_watchdog");
  const timeout = int(s, "timeout", "SCHEDOP_watchdog");
  if (id < 0 || id > NR_DOMAIN_WATCHDOG_TIMERS || timeout < 0) return -XEN_EINVAL;
  if (id === 0) {
    const free = d.watchdogs.indexOf(-1);
    if (free < 0) return -XEN_ENOSPC;
    armWatchdog(hv, d, free, timeout); // timeout 0 fires at once, as set_timer(NOW() + 0) does
    return free + 1;
  }
  const slot = id - 1;
  if (d.watchdogs[slot] === -1) return -XEN_EINVAL;
  if (timeout === 0) {
    d.watchdogs[slot] = -1;
    d.watchdogSeq[slot]!++;
    return 0;
  }
  armWatchdog(hv, d, slot, timeout);
  return 0;
};

const handlers: Record<SchedOp, SchedHandler> = {
  [SchedOp.SCHEDOP_yield]: (hv) => (hv.add("vm_switch"), 0),
  [SchedOp.SCHEDOP_block]: (hv, d, v) => block(hv, d, v),
  [SchedOp.SCHEDOP_shutdown]: (hv, d, _v, a) => {
    const s = struct(a);
    if (s === undefined) return -XEN_EFAULT;
    shutdown(hv, d, int(s, "reason", "SCHEDOP_shutdown"));
    return 0;
  },
  [SchedOp.SCHEDOP_poll]: (hv, d, v, a) => poll(hv, d, v, struct(a) as SchedPoll | undefined),
  [SchedOp.SCHEDOP_remote_shutdown]: (hv, d, _v, a) => {
    const s = struct(a);
    if (s === undefined) return -XEN_EFAULT;
    const t = hv.lookup(d, int(s, "domain_id", "SCHEDOP_remote_shutdown"));
    const reason = int(s, "reason", "SCHEDOP_remote_shutdown");
    if (t === undefined) return -XEN_ESRCH;
    const rc = xsmDefaultAction(XSM_DM_PRIV, d, t);
    if (rc !== 0) return rc;
    shutdown(hv, t, reason);
    return 0;
  },
  [SchedOp.SCHEDOP_shutdown_code]: (_hv, d, _v, a) => {
    const s = struct(a);
    if (s === undefined) return -XEN_EFAULT;
    d.latchedShutdownCode = int(s, "reason", "SCHEDOP_shutdown_code") & 0xff;
    return 0;
  },
  [SchedOp.SCHEDOP_watchdog]: watchdog,
  [SchedOp.SCHEDOP_pin_override]: () => -XEN_ENOSYS, // needs real pCPU pinning: not modelled
};

const names: string[] = [];
for (const [name, nr] of Object.entries(SchedOp)) names[nr] = name;

/** __HYPERVISOR_sched_op(cmd, arg). */
export function schedOp(hv: Hv, d: DomainState, v: VcpuState, cmd: unknown, a: unknown): number {
  const h = typeof cmd === "number" ? handlers[cmd as SchedOp] : undefined;
  if (h === undefined) return -XEN_ENOSYS;
  hv.op = names[cmd as number]!;
  return h(hv, d, v, a);
}
