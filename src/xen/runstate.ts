/**
 * vCPU runstates (RUNSTATE_running / runnable / blocked / offline) and the time spent in each, as
 * VCPUOP_get_runstate_info reports them and a registered runstate area receives them.
 * Sources at c447b7308b13: xen/include/public/vcpu.h (struct vcpu_runstate_info),
 * xen/common/sched/core.c (vcpu_runstate_get, vcpu_runstate_change), xen/common/domain.c
 * (VCPUOP_register_runstate_phys_area).
 * Every change of VcpuState.run goes through setRun, so the accounting cannot drift from it.
 */
import { RUNSTATE_blocked, RUNSTATE_offline, RUNSTATE_runnable, RUNSTATE_running, VCPU_RUNSTATE_INFO_SIZE } from "./abi/vcpu.js";
import type { Hv } from "./hv.js";
import { VcpuRun, type DomainState, type VcpuState } from "./state.js";

export interface VcpuRunstateInfo {
  state: number;
  /** System time (ns) at which the current state was entered. */
  state_entry_time: number;
  /** ns spent in each RUNSTATE_*; they sum to the time since the vCPU was created. */
  time: [number, number, number, number];
}

/** Cycles of the machine's clock → Xen system time in ns (NOW()). */
export function cyclesToNs(hv: Hv, cycles: number): number {
  return Math.round((cycles * 1e9) / hv.m.costs.hz);
}

/** ns → cycles (the same conversion SCHEDOP_poll uses for its timeout). */
export function nsToCycles(hv: Hv, ns: number): number {
  return (ns * hv.m.costs.hz) / 1e9;
}

/** Move a vCPU to a new run state, adding the time spent in the old one to its account. */
export function setRun(hv: Hv, d: DomainState, v: VcpuState, run: VcpuRun): void {
  if (v.run === run) return;
  const now = hv.m.now(v.processor);
  const spent = now > v.rsEntry ? now - v.rsEntry : 0;
  if (v.run === VcpuRun.blocked || v.run === VcpuRun.polling) v.rsBlocked += spent;
  else if (v.run === VcpuRun.offline) v.rsOffline += spent;
  v.rsEntry = now;
  v.run = run;
  if (v.runstateArea >= 0) writeRunstateArea(hv, d, v, false);
}

/** vcpu_runstate_get: the vCPU's runstate as of now; `current` when it is the one asking. */
export function runstateInfo(hv: Hv, v: VcpuState, current: boolean): VcpuRunstateInfo {
  const now = hv.m.now(v.processor);
  const open = now > v.rsEntry ? now - v.rsEntry : 0;
  const blocked = v.rsBlocked + (v.run === VcpuRun.blocked || v.run === VcpuRun.polling ? open : 0);
  const offline = v.rsOffline + (v.run === VcpuRun.offline ? open : 0);
  const total = now > v.rsBase ? now - v.rsBase : 0;
  const running = Math.min(v.runtime, total);
  const runnable = Math.max(0, total - running - blocked - offline);
  const state = v.run === VcpuRun.offline ? RUNSTATE_offline
    : v.run === VcpuRun.runnable ? (current ? RUNSTATE_running : RUNSTATE_runnable) : RUNSTATE_blocked;
  return {
    state,
    state_entry_time: cyclesToNs(hv, v.rsEntry),
    time: [cyclesToNs(hv, running), cyclesToNs(hv, runnable), cyclesToNs(hv, blocked), cyclesToNs(hv, offline)],
  };
}

/**
 * Write the runstate into the registered guest-physical area: int state @0, u64 state_entry_time
 * @8, u64 time[4] @16 (x86-64 layout, 48 bytes).
 */
export function writeRunstateArea(hv: Hv, d: DomainState, v: VcpuState, current: boolean): void {
  const gaddr = v.runstateArea;
  const frame = d.p2m.get(Math.floor(gaddr / 4096));
  if (frame === undefined) return; // ballooned out since: Xen's mapping holds the page; ours just skips
  const r = runstateInfo(hv, v, current);
  const bytes = new Uint8Array(VCPU_RUNSTATE_INFO_SIZE);
  const dv = new DataView(bytes.buffer);
  dv.setInt32(0, r.state, true);
  dv.setBigUint64(8, BigInt(r.state_entry_time), true);
  for (let i = 0; i < 4; i++) dv.setBigUint64(16 + i * 8, BigInt(r.time[i]!), true);
  hv.write(frame, gaddr % 4096, bytes);
}
