/**
 * Scheduling context (SC): a priority and a time quantum on one CPU, bound to a global EC or vCPU.
 * NOVA interface specification, June 2014: §3.1, create_sc (§5.3.3), sc_ctrl (§5.3.9); src/sc.cpp.
 */
import { NUM_PRIORITIES, Perm, Qpd, ScOp, Status, type Regs } from "./abi.js";
import { capOf, destroyHooks, installObjCap, wrapSel } from "./capability.js";
import { KMEM, quotaCharge, quotaRelease } from "./pd.js";
import { dequeue, enqueueFrom } from "./scheduler.js";
import { NONE, type Kernel } from "./state.js";
import type { Ec } from "./ec.js";
import { startup } from "./events.js";

export interface Sc {
  kind: "sc";
  id: number;
  refs: number;
  ec: number;
  cpu: number;
  prio: number;
  quantumUs: number;
  /** Budget left in this quantum, TSC ticks. */
  left: number;
  /** Time consumed, TSC ticks. */
  used: number;
  queued: boolean;
  idle: boolean;
  owner: number;
}

export function newSc(k: Kernel, ec: number, cpu: number, prio: number, quantumUs: number, owner: number, idle = false): Sc {
  const sc: Sc = { kind: "sc", id: k.newId(), refs: 0, ec, cpu, prio, quantumUs, left: quantumUs * k.ticksPerUs, used: 0, queued: false, idle, owner };
  k.add(sc);
  return sc;
}

/**
 * create_sc: sel = new SC, RSI = owner PD, RDX = EC (with the bind-SC permission), RAX = QPD.
 * Priority and quantum must be non-zero and the priority below 128 (BAD_PAR). A local EC cannot have
 * an SC (BAD_CAP). The SC is enqueued on the EC's CPU, by IPI when that CPU is another one; the
 * first SC of a global EC makes it raise STARTUP.
 */
export function createSc(k: Kernel, ec: Ec, sel: bigint, a: Regs): Status {
  const self = k.pd(ec.pd);
  const prio = Number(a.rax & Qpd.PRIO_MASK);
  const quantum = Number(a.rax >> Qpd.QUANTUM_SHIFT);
  const s = wrapSel(sel);
  const owner = capOf(k, self, wrapSel(a.rsi), "pd", Perm.pd.SC);
  const target = capOf(k, self, wrapSel(a.rdx), "ec", Perm.ec.SC);
  if (self.obj.has(s) || owner === undefined || target === undefined || target.obj.type === "local") return Status.BAD_CAP;
  if (prio === 0 || quantum === 0 || prio >= NUM_PRIORITIES) return Status.BAD_PAR;
  if (!quotaCharge(k, owner.obj, KMEM.sc)) return Status.QUO_OOM;
  const e = target.obj;
  const sc = newSc(k, e.id, e.cpu, prio, quantum, owner.obj.id);
  e.refs++;
  installObjCap(k, self, s, sc, 0x1);
  const first = e.ownSc === NONE;
  if (first) {
    e.ownSc = sc.id;
    e.sc = sc.id;
  }
  if (first && e.st === "nosc") startup(k, e);
  enqueueFrom(k, ec.cpu, sc);
  return Status.SUCCESS;
}

/**
 * sc_ctrl: sel = SC with the CT permission. Returns the consumed time in µs (time × 1000 / freq_tsc[kHz])
 * as RSI = high 32 bits, RDX = low 32 bits. GF ops 1–3 are defined only on idle SCs (BAD_PAR otherwise).
 */
export function scCtrl(k: Kernel, ec: Ec, sel: bigint, flags: number, out: Regs): Status {
  const c = capOf(k, k.pd(ec.pd), wrapSel(sel), "sc", Perm.sc.CT);
  if (c === undefined) return Status.BAD_CAP;
  const sc = c.obj;
  let ticks: number;
  if (flags === ScOp.SC_TIME_IDLE) ticks = sc.used;
  else if (!sc.idle || flags > ScOp.SC_EC_TIME) return Status.BAD_PAR;
  else if (flags === ScOp.SC_TIME_KILLED) ticks = k.d.killedTime[sc.cpu] ?? 0;
  else if (flags === ScOp.SC_TIME_CROSS) ticks = k.d.crossTime[sc.cpu] ?? 0;
  else ticks = 0; // op 3 reports the idle SC's own EC time, 0
  const us = BigInt(Math.floor(ticks / k.ticksPerUs));
  out.rsi = us >> 32n;
  out.rdx = us & 0xffffffffn;
  return Status.SUCCESS;
}

destroyHooks.sc = (k, sc) => {
  dequeue(k, sc);
  k.d.killedTime[sc.cpu] = (k.d.killedTime[sc.cpu] ?? 0) + sc.used;
  const e = k.obj(sc.ec);
  if (e?.kind === "ec" && e.ownSc === sc.id) e.ownSc = NONE;
  if (e?.kind === "ec" && e.sc === sc.id) e.sc = NONE;
  const owner = k.obj(sc.owner);
  if (owner?.kind === "pd") quotaRelease(k, owner, KMEM.sc);
  return [sc.ec];
};
