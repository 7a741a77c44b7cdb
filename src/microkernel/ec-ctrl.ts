/**
 * ec_ctrl (EC control): S14's recall, and the Genode fork's further sub-operations in the flags field
 * (Genode `Ec_op`): 0 recall (optionally fetching the state), 1 yield, 2 donate the SC (helping), 3
 * reschedule, 4 migrate, 5 execution time, 6/7 get/set vCPU state, 8 MSR access.
 * NOVA interface specification, June 2014, §5.3.8; GF alex-ab/NOVA@60419b83 src/syscall.cpp
 * sys_ec_ctrl and Ec::migrate, include/syscall.hpp Sys_ec_ctrl (RSI = ARG_2, RDX = ARG_3).
 */
import { CrdType, EcOp, Evt, Mtd, Perm, Status, Utcb, UtcbArch, type Regs } from "./abi.js";
import { capOf, installObjCap, objCap, wrapSel } from "./capability.js";
import { BLOCKED, done, newEc, recallVector, type Ec } from "./ec.js";
import { KMEM, quotaCharge, quotaFree } from "./pd.js";
import { newSc } from "./sc.js";
import { dequeue, enqueueFrom } from "./scheduler.js";
import { delegate, newEffects, chargeEffects, revoke } from "./space.js";
import { ecName, NONE, type Kernel, type SyscallResult } from "./state.js";

/** GF `Sys_ec_ctrl::state()`/`recall()`: RSI = 1 asks op 0 for the state, op 7 to keep a pending recall. */
const STATE_REQUESTED = 1n;

/**
 * The exception vectors GF op 0 reports as "in exception handling" (qual[0] = 1): the ones entry.S
 * handles as exceptions, page faults excluded (sys_ec_ctrl, case 0).
 */
function inException(v: number): boolean {
  return v <= 0x01 || (v >= 0x03 && v <= 0x07) || (v >= 0x0a && v <= 0x0d) || (v >= 0x10 && v <= 0x13);
}

export function ecCtrl(k: Kernel, ec: Ec, sel: bigint, op: number, a: Regs): SyscallResult {
  switch (op) {
    case EcOp.RECALL:
      return recall(k, ec, sel, a);
    case EcOp.YIELD:
      return done(requeue(k, ec, "tail"));
    case EcOp.DONATE_SC:
      return donate(k, ec, sel, a);
    case EcOp.RESCHEDULE:
      return done(requeue(k, ec, "head"));
    case EcOp.MIGRATE:
      return done(migrate(k, ec, sel, a));
    case EcOp.TIME:
      return time(k, ec, sel);
    case EcOp.GET_VCPU_STATE:
    case EcOp.SET_VCPU_STATE:
      return done(vcpuState(k, ec, sel, op, a));
    case EcOp.MSR:
      // GF checks for a UTCB, then that the selector names the kernel's MSR-access SM (root selector
      // NUM_EXC + 4 in GF's bootstrap). The model boots S14's root space, which has no such SM, so no
      // capability can name it: BAD_CAP, as GF answers when Msr::msr_cap is unset.
      return done(ec.utcb === null ? Status.BAD_PAR : Status.BAD_CAP);
    default:
      return done(Status.BAD_PAR);
  }
}

/**
 * Op 0, recall: sel = EC with CT. Pends the recall hazard (once: a pending one is not sent again). An
 * EC running on another CPU gets an IPI; if the caller asked for the state (RSI = 1) it cannot have it
 * then, and gets TIMEOUT (GF COM_TIM). Otherwise, with RSI = 1 the EC's state lands in the caller's
 * UTCB: MTD ACDB|BSD|R8_R15|RSP|RIP_LEN|RFLAGS|QUAL, qual[0] = 1 while the EC waits for an
 * exception handler.
 */
function recall(k: Kernel, ec: Ec, sel: bigint, a: Regs): SyscallResult {
  const target = capOf(k, k.pd(ec.pd), wrapSel(sel), "ec", Perm.ec.CT);
  if (target === undefined) return done(Status.BAD_CAP);
  const t = target.obj;
  const wantState = a.rsi === STATE_REQUESTED;
  if (!t.recall) {
    t.recall = true;
    // GF: an IPI only when the EC is the one running on its (other) CPU (Ec::remote(cpu) == ec).
    if (t.cpu !== ec.cpu && t.st === "ready") {
      k.m.ipi(ec.cpu, t.cpu, "nova.recall", { ec: t.id });
      if (wantState) return done(Status.TIMEOUT);
    }
  }
  if (wantState && ec.type !== "vcpu" && ec.utcb !== null) {
    const u = ec.utcb;
    const d = Utcb.DATA;
    const r = t.entered?.regs;
    u[Utcb.ITEMS] = 0n;
    u[d + UtcbArch.MTD] = BigInt(Mtd.ACDB | Mtd.BSD | Mtd.R8_R15 | Mtd.RSP | Mtd.RIP_LEN | Mtd.RFLAGS | Mtd.QUAL);
    u[d + UtcbArch.RIP] = t.ip;
    u[d + UtcbArch.RSP] = t.sp;
    u[d + UtcbArch.RFLAGS] = 0n;
    u[d + UtcbArch.RAX] = r?.rax ?? 0n;
    u[d + UtcbArch.RDX] = r?.rdx ?? 0n;
    u[d + UtcbArch.RSI] = r?.rsi ?? 0n;
    u[d + UtcbArch.RDI] = r?.rdi ?? 0n;
    u[d + UtcbArch.R8] = r?.r8 ?? 0n;
    u[d + UtcbArch.QUAL0] = t.st === "call" && t.event !== NONE && inException(t.event) ? 1n : 0n;
    u[d + UtcbArch.QUAL1] = 0n;
  }
  return done(Status.SUCCESS);
}

/**
 * Ops 1 and 3 act on the SC the caller runs on, without a capability: yield puts it at the tail of
 * its priority's list (GF Sc::schedule(false, false)); reschedule puts it back at the head while it
 * has budget left (use_left), so only a higher priority runs first. Always SUCCESS.
 */
function requeue(k: Kernel, ec: Ec, where: "head" | "tail"): Status {
  const sc = ec.sc === NONE ? undefined : k.obj(ec.sc);
  if (sc?.kind !== "sc" || !sc.queued) return Status.SUCCESS;
  const q = k.d.cpus[sc.cpu]!.prio[sc.prio]!;
  const i = q.indexOf(sc.id);
  if (i < 0) return Status.SUCCESS;
  q.splice(i, 1);
  if (where === "head" && sc.left > 0) q.unshift(sc.id);
  else q.push(sc.id);
  return Status.SUCCESS;
}

/**
 * Op 2, helping: sel = an EC of the caller's own PD on the caller's CPU (no permission bit is tested:
 * GF checks only the type; not an EC → BAD_CAP, other CPU → BAD_CPU). It must run user code with a
 * UTCB and no IPC partner, and RSI must equal its UTCB's TLS word (Genode passes a lock's sequence
 * number there, so that a stale donation fails), else BAD_PAR. The caller's SC then runs that EC
 * until its next kernel entry; the caller resumes afterwards with SUCCESS.
 */
function donate(k: Kernel, ec: Ec, sel: bigint, a: Regs): SyscallResult {
  const c = objCap(k, k.pd(ec.pd), wrapSel(sel));
  if (c?.obj.kind !== "ec") return done(Status.BAD_CAP);
  const t = c.obj;
  if (t.cpu !== ec.cpu) return done(Status.BAD_CPU);
  if (t.type === "vcpu" || t.st !== "ready" || t.caller !== NONE || t.pd !== ec.pd || t.utcb === null || t.utcb[Utcb.TLS] !== a.rsi || t === ec) {
    return done(Status.BAD_PAR);
  }
  ec.st = "help";
  ec.helping = t.id;
  ec.helpPt = NONE; // a donation, not a call to retry: retryHelpers and kill complete it with SUCCESS
  ec.event = NONE;
  ec.result = null;
  t.helpers.push(ec.id);
  return BLOCKED;
}

/** A donation to `e` is over (it entered the kernel, or died): the donors resume with SUCCESS. */
export function endDonations(k: Kernel, e: Ec): void {
  if (e.helpers.length === 0) return;
  const rest: number[] = [];
  for (const h of e.helpers) {
    const d = k.ec(h);
    if (d?.st === "help" && d.helping === e.id && d.helpPt === NONE) {
      d.helping = NONE;
      d.st = "ready";
      d.result = done(Status.SUCCESS);
      d.entered = { via: "resume", pt: NONE, pid: 0n, event: NONE, ip: d.ip, regs: d.result };
    } else rest.push(h);
  }
  e.helpers = rest;
}

/**
 * Op 4, migrate (GF Ec::migrate): only a handler holding a reply capability may migrate, and only the
 * EC that called it (Genode does it from the RECALL handler). sel = that EC, sel + 1 = a portal bound
 * on the target CPU (the new EC's OOM portal), sel + 2 = the EC's SC; RSI[11:0] = target CPU; RDX = an
 * order-0 object CRD: where, relative to the EC's event base, its PD receives the new EC capability.
 * A new EC (same PD, UTCB, IP, SP, event base) and SC (same QPD) replace the old ones at sel and
 * sel + 2 in the caller's space; the old EC is left dead. Every failed check is BAD_PAR (GF folds
 * them into one false), except a PD without 4 pages of quota: QUO_OOM.
 */
function migrate(k: Kernel, ec: Ec, sel: bigint, a: Regs): Status {
  if (ec.caller === NONE) return Status.BAD_PAR;
  const self = k.pd(ec.pd);
  const s = wrapSel(sel);
  const cpu = Number(a.rsi & 0xfffn);
  if (cpu >= k.m.cpus.length) return Status.BAD_PAR;
  const c = objCap(k, self, s);
  if (c?.obj.kind !== "ec") return Status.BAD_PAR;
  const old = c.obj;
  const pd = k.pd(old.pd);
  if (quotaFree(k, pd) < 4 * 4096) return Status.QUO_OOM;
  const crd = { type: Number(a.rdx & 0x3n), order: Number((a.rdx >> 7n) & 0x1fn), perm: Number((a.rdx >> 2n) & 0x1fn), base: Number(a.rdx >> 12n) };
  if (crd.type !== CrdType.OBJ || crd.order !== 0) return Status.BAD_PAR;
  if (old.xcpuPt !== NONE || old.utcb === null || old.id !== ec.caller) return Status.BAD_PAR;
  const pt = objCap(k, self, wrapSel(sel + 1n))?.obj;
  const scCap = objCap(k, self, wrapSel(sel + 2n));
  if (pt?.kind !== "pt" || scCap?.obj.kind !== "sc") return Status.BAD_PAR;
  const oldSc = scCap.obj;
  if (k.ec(pt.ec)?.cpu !== cpu || oldSc.ec !== old.id) return Status.BAD_PAR;
  if (!quotaCharge(k, pd, KMEM.ec + KMEM.sc)) return Status.QUO_OOM;

  const e = newEc(k, pd.id, cpu, old.type, old.utcbPage, old.sp, old.evt);
  // The UTCB moves to the new EC (GF: the clone takes the page); the old one keeps none to free.
  e.utcb = old.utcb;
  e.utcbFrame = old.utcbFrame;
  e.ip = old.ip;
  e.oomPt = pt.id;
  pt.refs++;
  old.utcbFrame = NONE;
  old.utcbPage = 0;
  old.utcb = null;
  pd.refs++;
  const sc = newSc(k, e.id, cpu, oldSc.prio, oldSc.quantumUs, pd.id);
  e.refs++;
  e.ownSc = sc.id;
  e.sc = sc.id;
  e.st = "ready";
  e.entered = { via: "resume", pt: NONE, pid: 0n, event: Evt.RECALL, ip: e.ip, regs: done(Status.SUCCESS) };
  // The EC's program (if it runs registered code) goes on in the new EC.
  const live = k.liveThreads.get(old.id);
  if (live !== undefined) k.liveThreads.set(e.id, live);
  const saved = k.d.threads.get(old.id);
  if (saved !== undefined) k.d.threads.set(e.id, saved);
  k.liveThreads.delete(old.id);
  k.d.threads.delete(old.id);
  e.result = done(Status.SUCCESS);
  old.st = "dead";
  old.why = `migrated to CPU ${cpu} as EC#${e.id}`;
  dequeue(k, oldSc);

  const fx = newEffects();
  revoke(k, self, CrdType.OBJ, s, 0, 0x1f, true, false, fx);
  revoke(k, self, CrdType.OBJ, wrapSel(sel + 2n), 0, 0x1f, true, false, fx);
  installObjCap(k, self, s, e, 0xd);
  installObjCap(k, self, wrapSel(sel + 2n), sc, 0x1);
  const base = e.evt + crd.base;
  delegate(k, self, pd, CrdType.OBJ, s, base, 0, crd.perm, fx);
  chargeEffects(k, ec.cpu, fx, ecName(ec.id));
  enqueueFrom(k, ec.cpu, sc);
  return Status.SUCCESS;
}

/** Op 5: sel = an EC (type checked only); its execution time in µs, RSI = high and RDX = low 32 bits. */
function time(k: Kernel, ec: Ec, sel: bigint): SyscallResult {
  const c = objCap(k, k.pd(ec.pd), wrapSel(sel));
  if (c?.obj.kind !== "ec") return done(Status.BAD_CAP);
  const us = BigInt(Math.floor(c.obj.time / k.ticksPerUs));
  return done(Status.SUCCESS, { rsi: us >> 32n, rdx: us & 0xffffffffn });
}

/**
 * Ops 6 and 7: sel = a vCPU with CT on the caller's CPU (else BAD_CAP, BAD_CPU). Op 6 pends a recall
 * and copies the vCPU's state selected by the MTD in RSI into the caller's UTCB; op 7 takes the state
 * from the caller's UTCB as its MTD word selects, and clears a pending recall unless RSI = 1.
 * GF sets the recall hazard before it finds that the EC is no vCPU (and then fails with BAD_CAP); the
 * model tests the type first, so that a failed call changes nothing.
 */
function vcpuState(k: Kernel, ec: Ec, sel: bigint, op: number, a: Regs): Status {
  const c = capOf(k, k.pd(ec.pd), wrapSel(sel), "ec", Perm.ec.CT);
  if (c === undefined) return Status.BAD_CAP;
  const v = c.obj;
  if (v.cpu !== ec.cpu) return Status.BAD_CPU;
  if (v.type !== "vcpu" || ec.utcb === null) return Status.BAD_CAP;
  const u = ec.utcb;
  const d = Utcb.DATA;
  if (op === EcOp.GET_VCPU_STATE) {
    v.recall = true;
    const mtd = Number(a.rsi & 0xffffffffn);
    u[d + UtcbArch.MTD] = BigInt(mtd);
    if (mtd & Mtd.RIP_LEN) u[d + UtcbArch.RIP] = v.ip;
    if (mtd & Mtd.RSP) u[d + UtcbArch.RSP] = v.sp;
    return Status.SUCCESS;
  }
  const mtd = Number(u[d + UtcbArch.MTD]! & 0xffffffffn);
  if (mtd & Mtd.RIP_LEN) v.ip = u[d + UtcbArch.RIP]!;
  if (mtd & Mtd.RSP) v.sp = u[d + UtcbArch.RSP]!;
  if (a.rsi !== STATE_REQUESTED) v.recall = false;
  return Status.SUCCESS;
}

export { recallVector };
