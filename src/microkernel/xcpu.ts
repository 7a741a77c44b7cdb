/**
 * Cross-CPU portal calls (XCPU), Genode fork only: a call through a portal capability with the XCPU
 * right (PT permission bit 4) whose EC is bound to another CPU. The kernel does not move the caller:
 * it clones it onto the callee's CPU — an EC sharing the caller's UTCB and an SC with the caller's SC's
 * priority and budget — enqueues that SC there by IPI and blocks the caller on a kernel semaphore. The
 * clone makes the call on the remote CPU as a local call (helping a busy callee there, or TIMEOUT with
 * DB); when it ends (reply or failure), the caller's semaphore is upped, which wakes the caller by IPI.
 * The clone's SC time adds up per CPU as "cross time", reported by sc_ctrl op 1 on that CPU's idle SC.
 * Sources: GF alex-ab/NOVA@60419b83 src/syscall.cpp (sys_call, sys_xcpu_call, ret_xcpu_reply),
 * src/ec.cpp (xcpu_clone, xcpu_return, xcpu_revert), src/sc.cpp (free_xcpu: cross_time).
 *
 * Model: the caller itself stands for its clone in the IPC links (caller ⇄ callee), so the clone has
 * no object id; its kernel memory (an EC and an SC, created on an EC's first XCPU call and kept for
 * reuse, as GF keeps sc_xcpu/ec_xcpu) is charged to the caller's PD. Costs: the caller's CPU pays the
 * kernel entry; the call reaches the remote CPU one `ipi` later (the remote enqueue, VEC_IPI_RRQ); the
 * remote CPU pays the IPC (ipc_oneway, words, items) and the reply; the caller runs again one `ipi`
 * after the reply (the semaphore up's remote wake-up).
 */
import { Flag, Status } from "./abi.js";
import { BLOCKED, complete, done, type Ec } from "./ec.js";
import { rendezvous } from "./ipc.js";
import { KMEM, quotaCharge } from "./pd.js";
import type { Pt } from "./pt.js";
import { wake } from "./scheduler.js";
import { ecName, NONE, type Kernel, type SyscallResult } from "./state.js";

const ENTRY = ["syscall", "kpti_switch"] as const;

/** Kernel memory of an EC's XCPU clone (its EC and SC), charged once per EC. */
export const XCPU_CLONE_KMEM = KMEM.ec + KMEM.sc;

/** The caller side, on the caller's CPU: the capability had XCPU and the callee sits on another CPU. */
export function xcpuCall(k: Kernel, ec: Ec, pt: Pt, callee: Ec, flags: number): SyscallResult {
  if (!ec.xcpuClone) {
    if (!quotaCharge(k, k.pd(ec.pd), XCPU_CLONE_KMEM)) {
      k.m.chargeMany(ec.cpu, ENTRY, "nova", "call", ecName(ec.id), { status: Status.QUO_OOM });
      return done(Status.QUO_OOM);
    }
    ec.xcpuClone = true;
  }
  k.m.chargeMany(ec.cpu, ENTRY, "nova", "call", ecName(ec.id), { pt: pt.id, callee: callee.id, xcpu: callee.cpu });
  ec.st = "call";
  ec.callee = callee.id;
  ec.event = NONE;
  ec.xcpuPt = pt.id;
  ec.helpFlags = flags;
  ec.result = null;
  k.m.ipi(ec.cpu, callee.cpu, "nova.xcpu", { ec: ec.id, seq: ++k.d.waitSeq });
  ec.waitSeq = k.d.waitSeq;
  return BLOCKED;
}

/** The clone on the callee's CPU makes the call (event "nova.xcpu" after the IPI). */
export function xcpuArrive(k: Kernel, p: { ec: number; seq: number }, cpu: number): void {
  const caller = k.obj(p.ec);
  if (caller?.kind !== "ec" || caller.st !== "call" || caller.xcpuPt === NONE || caller.waitSeq !== p.seq) return; // it died meanwhile
  const pt = k.obj(caller.xcpuPt);
  caller.xcpuPt = NONE;
  const callee = pt?.kind === "pt" ? k.ec(pt.ec) : undefined;
  if (pt?.kind !== "pt" || callee === undefined) return finish(k, caller, Status.BAD_CAP, cpu);
  if (callee.st === "dead") return finish(k, caller, Status.TIMEOUT, cpu); // S14/GF code: a dead callee times out
  if (callee.st !== "wait") {
    if ((caller.helpFlags & Flag.CALL_DB) !== 0) return finish(k, caller, Status.TIMEOUT, cpu);
    // The clone helps the busy callee on its CPU; retryHelpers makes the call once it is free.
    caller.st = "help";
    caller.callee = NONE;
    caller.helping = callee.id;
    caller.helpPt = pt.id;
    callee.helpers.push(caller.id);
    return;
  }
  rendezvous(k, caller, callee, pt, NONE, true);
}

/** The clone's call ended with a status on `cpu`: the caller's semaphore is upped, waking it by IPI. */
function finish(k: Kernel, caller: Ec, status: Status, cpu: number): void {
  caller.callee = NONE;
  complete(k, caller, done(status));
  wake(k, cpu, caller);
}
