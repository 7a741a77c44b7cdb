/**
 * The credit scheduler (credit1): which runnable vCPU a pCPU runs next, for the guest programs the
 * machine steps. Source: xen/common/sched/credit.c at c447b7308b13 (csched_acct, burn_credits,
 * csched_tick, csched_unit_wake, csched_schedule, csched_dom_cntl).
 * - Credits: CSCHED_CREDITS_PER_MSEC = 10 burnt per ms of running; every accounting period
 *   (tslice, 30 ms) csched_acct shares credits_per_tslice × nr_cpus among the *active* vCPUs in
 *   proportion to their domain's weight, at most one tslice each (less under a cap).
 * - Priority: UNDER (credit ≥ 0) runs before OVER (credit < 0); a vCPU woken from blocking while
 *   UNDER is BOOSTed above both until a 10 ms tick finds it running. Equal priorities run in queue
 *   order; the current vCPU keeps its pCPU for a whole tslice unless a higher priority waits and it
 *   has run for the ratelimit (1 ms, SCHED_DEFAULT_RATELIMIT_US).
 * - Cap (% of one pCPU): the domain earns at most cap% of a tslice per period; a vCPU whose credit
 *   falls below minus its per-vCPU cap is parked (not scheduled) until accounting lifts it to ≥ 0.
 * - An active vCPU whose credit exceeds one tslice stops earning (leaves the active list) with its
 *   credit halved; credit never falls below −credits_per_tslice.
 * Deviations: vCPUs stay on the pCPU they were placed on (no load balancing or stealing); the active
 * domain list is walked in domid order (Xen moves domains with spare credit to its head); credit is
 * burnt exactly per cycle run rather than at ticks with a residual.
 */
import type { Hv } from "./hv.js";
import { domainRunnable } from "./domain.js";
import { VcpuRun, type DomainState, type VcpuState } from "./state.js";

export const CSCHED_DEFAULT_WEIGHT = 256;
export const CSCHED_CREDITS_PER_MSEC = 10;
export const CSCHED_DEFAULT_TSLICE_MS = 30;
export const CSCHED_TICKS_PER_TSLICE = 3;
export const SCHED_DEFAULT_RATELIMIT_US = 1000;
export const CSCHED_PRI_TS_BOOST = 0;
export const CSCHED_PRI_TS_UNDER = -1;
export const CSCHED_PRI_TS_OVER = -2;
const CREDITS_PER_TSLICE = CSCHED_CREDITS_PER_MSEC * CSCHED_DEFAULT_TSLICE_MS;

/** The scheduler's own state (part of XenState, so snapshots carry it). */
export interface CreditState {
  /** Sum of active vCPUs' credit after the last accounting (prv->credit_balance). */
  balance: number;
  /** Next accounting (cycles). */
  nextAcct: number;
  /** Whether an accounting event is queued (only while some vCPU is parked: nothing else needs one). */
  acctQueued: boolean;
  /** Run-queue insertion counter: lower = earlier in its priority class. */
  seq: number;
  /** Per pCPU: the vCPU it runs ("domid:vcpu" or ""), its slice start and end, the next 10 ms tick. */
  current: string[];
  sliceStart: number[];
  sliceEnd: number[];
  nextTick: number[];
}

export function newCreditState(cpus: number): CreditState {
  return {
    balance: 0, nextAcct: 0, acctQueued: false, seq: 0,
    current: new Array<string>(cpus).fill(""), sliceStart: new Array<number>(cpus).fill(0),
    sliceEnd: new Array<number>(cpus).fill(0), nextTick: new Array<number>(cpus).fill(0),
  };
}

function ms(hv: Hv, n: number): number {
  return (n * hv.m.costs.hz) / 1000;
}

/** Could the vCPU run a guest program on its pCPU now? */
function eligible(d: DomainState, v: VcpuState): boolean {
  return v.thread !== undefined && !v.thread.done && v.run === VcpuRun.runnable && !v.parked && domainRunnable(d);
}

/** Is any vCPU placed on `cpu` ready to run (the machine's dispatcher asks; no side effects)? */
export function creditReady(hv: Hv, cpu: number): boolean {
  for (const d of hv.s.domains.values()) for (const v of d.vcpus) if (v.processor === cpu && eligible(d, v)) return true;
  return false;
}

/** csched_unit_wake: back on the run queue's tail; BOOST if it was UNDER and is not parked. */
export function creditWake(hv: Hv, v: VcpuState): void {
  v.rqSeq = ++hv.s.sched.seq;
  if (v.pri === CSCHED_PRI_TS_UNDER && !v.parked) v.pri = CSCHED_PRI_TS_BOOST;
}

/** burn_credits: `cycles` of running cost credits; a vCPU that runs is active (earns at accounting). */
export function creditBurn(hv: Hv, v: VcpuState, cycles: number): void {
  v.credit -= (cycles * CSCHED_CREDITS_PER_MSEC) / ms(hv, 1);
  v.active = true;
}

/** csched_acct: share this period's credits among active domains by weight, then set priorities and parking. */
export function creditAccount(hv: Hv): void {
  const s = hv.s.sched;
  const active: [DomainState, VcpuState[]][] = [];
  let weightTotal = 0;
  for (const id of [...hv.s.domains.keys()].sort((a, b) => a - b)) {
    const d = hv.s.domains.get(id)!;
    const vs = d.vcpus.filter((v) => v.active);
    if (vs.length === 0) continue;
    active.push([d, vs]);
    weightTotal += d.weight * vs.length;
  }
  if (weightTotal === 0) {
    s.balance = 0;
    return;
  }
  let creditTotal = CREDITS_PER_TSLICE * hv.m.cpus.length;
  if (s.balance < 0) creditTotal -= s.balance;
  let weightLeft = weightTotal;
  let balance = 0;
  for (const [d, vs] of active) {
    const n = vs.length;
    weightLeft -= d.weight * n;
    let peak = n * CREDITS_PER_TSLICE;
    if (s.balance < 0) peak += Math.floor((-s.balance * d.weight * n + (weightTotal - 1)) / weightTotal);
    let capPerVcpu = 0;
    if (d.cap !== 0) {
      const cap = Math.floor((d.cap * CREDITS_PER_TSLICE + 99) / 100);
      if (cap < peak) peak = cap;
      capPerVcpu = Math.floor((cap + (n - 1)) / n);
    }
    let fair = Math.floor((creditTotal * d.weight * n + (weightTotal - 1)) / weightTotal);
    if (fair >= peak) {
      // Give other domains a chance at the credits this one cannot use.
      if (weightLeft !== 0) creditTotal += Math.floor(((fair - peak) * weightTotal + (weightLeft - 1)) / weightLeft);
      fair = peak;
    }
    const perVcpu = Math.floor((fair + (n - 1)) / n);
    for (const v of vs) {
      v.credit += perVcpu;
      if (v.credit < 0) {
        v.pri = CSCHED_PRI_TS_OVER;
        if (d.cap !== 0 && v.credit < -capPerVcpu) v.parked = true;
        if (v.credit < -CREDITS_PER_TSLICE) v.credit = -CREDITS_PER_TSLICE;
      } else {
        v.pri = CSCHED_PRI_TS_UNDER;
        if (v.parked) {
          v.parked = false;
          v.rqSeq = ++s.seq;
        }
        if (v.credit > CREDITS_PER_TSLICE) {
          v.active = false; // stops earning until it runs again
          v.credit /= 2;
        }
      }
      balance += v.credit;
    }
  }
  s.balance = balance;
}

/** Run every accounting period that `now` has passed, and keep one queued while a vCPU is parked. */
export function creditCatchUp(hv: Hv, now: number): void {
  const s = hv.s.sched;
  while (now >= s.nextAcct) {
    creditAccount(hv);
    s.nextAcct += ms(hv, CSCHED_DEFAULT_TSLICE_MS);
  }
  queueAccounting(hv);
}

/** Parked vCPUs are unparked only by accounting, which an idle pCPU would never reach: queue it as an event. */
function queueAccounting(hv: Hv): void {
  const s = hv.s.sched;
  if (s.acctQueued) return;
  let parked = false;
  for (const d of hv.s.domains.values()) for (const v of d.vcpus) if (v.parked) parked = true;
  if (!parked) return;
  s.acctQueued = true;
  hv.m.schedule(0, s.nextAcct, "xen.csched_acct", null);
}

/** The queued accounting event. */
export function creditAcctEvent(hv: Hv, now: number): void {
  hv.s.sched.acctQueued = false;
  creditCatchUp(hv, now);
}

/** csched_schedule: the vCPU `cpu` runs next (and starts its slice), or undefined if none is ready. */
export function creditPick(hv: Hv, cpu: number): [DomainState, VcpuState] | undefined {
  const s = hv.s.sched;
  const now = hv.m.now(cpu);
  creditCatchUp(hv, now);
  let cur: [DomainState, VcpuState] | undefined;
  let best: [DomainState, VcpuState] | undefined;
  const curKey = s.current[cpu]!;
  for (const d of hv.s.domains.values()) {
    for (const v of d.vcpus) {
      if (v.processor !== cpu || !eligible(d, v)) continue;
      if (curKey === `${d.domid}:${v.id}`) {
        cur = [d, v];
        continue;
      }
      if (best === undefined || v.pri > best[1].pri || (v.pri === best[1].pri && v.rqSeq < best[1].rqSeq)) best = [d, v];
    }
  }
  // csched_tick: a BOOSTed vCPU found running at a tick has had its latency bonus.
  while (now >= s.nextTick[cpu]!) {
    if (cur !== undefined && cur[1].pri === CSCHED_PRI_TS_BOOST) cur[1].pri = CSCHED_PRI_TS_UNDER;
    s.nextTick[cpu] = s.nextTick[cpu]! + ms(hv, CSCHED_DEFAULT_TSLICE_MS / CSCHED_TICKS_PER_TSLICE);
  }
  if (cur !== undefined) {
    const inSlice = now < s.sliceEnd[cpu]!;
    const preempt = best !== undefined && best[1].pri > cur[1].pri && now - s.sliceStart[cpu]! >= ms(hv, SCHED_DEFAULT_RATELIMIT_US / 1000);
    if (inSlice && !preempt) return cur;
    cur[1].rqSeq = ++s.seq; // back to the tail of its priority class
    if (best === undefined || cur[1].pri > best[1].pri || (cur[1].pri === best[1].pri && cur[1].rqSeq < best[1].rqSeq)) best = cur;
  }
  if (best === undefined) {
    s.current[cpu] = "";
    return undefined;
  }
  if (best !== cur || !(now < s.sliceEnd[cpu]!)) {
    s.current[cpu] = `${best[0].domid}:${best[1].id}`;
    s.sliceStart[cpu] = now;
    s.sliceEnd[cpu] = now + ms(hv, CSCHED_DEFAULT_TSLICE_MS);
  }
  return best;
}
