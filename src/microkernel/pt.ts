/**
 * Portal (PT): an entry point into a local EC, with the MTD that says which state an event delivers,
 * the instruction pointer the EC starts at, and the portal identifier (PID) every traversal delivers.
 * NOVA interface specification, June 2014: create_pt (§5.3.4), pt_ctrl (§5.3.10).
 */
import { InitialPerm, Perm, Status, type Regs } from "./abi.js";
import { capOf, destroyHooks, installObjCap, wrapSel } from "./capability.js";
import { KMEM, quotaCharge, quotaRelease } from "./pd.js";
import type { Kernel } from "./state.js";
import type { Ec } from "./ec.js";

export interface Pt {
  kind: "pt";
  id: number;
  refs: number;
  ec: number;
  mtd: number;
  ip: bigint;
  pid: bigint;
  owner: number;
}

/**
 * create_pt: sel = new PT, RSI = owner PD, RDX = EC (bind-PT permission), RAX = MTD, R8 = IP.
 * Only a local EC can be bound (BAD_CAP otherwise). The PID starts at 0.
 */
export function createPt(k: Kernel, ec: Ec, sel: bigint, a: Regs): Status {
  const self = k.pd(ec.pd);
  const s = wrapSel(sel);
  const owner = capOf(k, self, wrapSel(a.rsi), "pd", Perm.pd.PT);
  const target = capOf(k, self, wrapSel(a.rdx), "ec", Perm.ec.PT);
  if (self.obj.has(s) || owner === undefined || target === undefined || target.obj.type !== "local") return Status.BAD_CAP;
  if (!quotaCharge(k, owner.obj, KMEM.pt)) return Status.QUO_OOM;
  const pt: Pt = { kind: "pt", id: k.newId(), refs: 0, ec: target.obj.id, mtd: Number(a.rax & 0xffffffffn), ip: a.r8, pid: 0n, owner: owner.obj.id };
  k.add(pt);
  target.obj.refs++;
  installObjCap(k, self, s, pt, InitialPerm.pt);
  return Status.SUCCESS;
}

/** pt_ctrl: sel = PT with the CT permission, RSI = the new PID. */
export function ptCtrl(k: Kernel, ec: Ec, sel: bigint, a: Regs): Status {
  const c = capOf(k, k.pd(ec.pd), wrapSel(sel), "pt", Perm.pt.CT);
  if (c === undefined) return Status.BAD_CAP;
  c.obj.pid = a.rsi;
  return Status.SUCCESS;
}

destroyHooks.pt = (k, pt) => {
  const owner = k.obj(pt.owner);
  if (owner?.kind === "pd") quotaRelease(k, owner, KMEM.pt);
  k.forget(pt.id);
  return [pt.ec];
};
