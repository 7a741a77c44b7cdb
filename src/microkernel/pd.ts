/**
 * Protection domain (PD): the unit of isolation, holding an object space, a memory space and an I/O
 * port space, and (GF) a kernel-memory quota.
 * NOVA interface specification, June 2014: §2.1, create_pd (§5.3.1); Genode's fork: create_pd quota
 * limits and pd_ctrl (TRANSFER_QUOTA, PD_DEBUG) as Genode calls them (base-nova syscalls.h@03470e7b).
 */
import { CrdType, Perm, PdOp, Status, type Regs } from "./abi.js";
import { capOf, destroyHooks, installObjCap, dropRef, wrapSel } from "./capability.js";
import { decodeCrd } from "./crd.js";
import { delegate, newEffects, revokeAll, chargeEffects } from "./space.js";
import { ecName, NONE, spaceName, type Kernel } from "./state.js";
import type { Ec } from "./ec.js";
import { PAGE_SIZE } from "../machine/index.js";

export interface Quota {
  /** Kernel memory this PD may use, in bytes; NONE = it draws on its owner's quota. */
  limit: number;
  used: number;
  /** The upper limit given at creation (GF), reported by PD_DEBUG. */
  upper: number;
}

export interface Pd {
  kind: "pd";
  id: number;
  refs: number;
  name: string;
  /** The PD this one was created in (its quota parent); NONE for the kernel and root PDs. */
  owner: number;
  obj: Map<number, number>;
  mem: Map<number, number>;
  pio: Map<number, number>;
  quota: Quota;
  /** Pages of this PD's memory space that hold UTCBs. */
  utcbs: number[];
}

/**
 * Kernel memory each object takes, charged to its owner's quota (GF). Assumed sizes: the model
 * has no slab allocator; these are the orders of magnitude of the NOVA objects on x86_64.
 */
export const KMEM = { pd: 4 * PAGE_SIZE, ec: 2 * PAGE_SIZE, sc: 128, pt: 64, sm: 64 } as const;

export function newPd(k: Kernel, name: string, owner: number, limit: number): Pd {
  const pd: Pd = { kind: "pd", id: k.newId(), refs: 0, name, owner, obj: new Map(), mem: new Map(), pio: new Map(), quota: { limit, used: 0, upper: 0 }, utcbs: [] };
  k.add(pd);
  return pd;
}

/** The PD whose quota pays for objects of `pd` (itself, or the nearest owner with its own limit). */
function quotaHolder(k: Kernel, pd: Pd): Pd {
  let p = pd;
  while (p.quota.limit === NONE && p.owner !== NONE) p = k.pd(p.owner);
  return p;
}

export function quotaFree(k: Kernel, pd: Pd): number {
  const q = quotaHolder(k, pd).quota;
  return q.limit === NONE ? Infinity : q.limit - q.used;
}

/** Charge kernel memory to a PD; false (and no change) when its quota cannot cover it (QUO_OOM). */
export function quotaCharge(k: Kernel, pd: Pd, bytes: number): boolean {
  const h = quotaHolder(k, pd);
  if (h.quota.limit !== NONE && h.quota.limit - h.quota.used < bytes) return false;
  h.quota.used += bytes;
  return true;
}

export function quotaRelease(k: Kernel, pd: Pd | undefined, bytes: number): void {
  if (pd === undefined) return;
  const h = quotaHolder(k, pd);
  h.quota.used = Math.max(0, h.quota.used - bytes);
}

/**
 * create_pd: sel = new PD, RSI = owner PD, RDX = CRD of object capabilities delegated from the
 * caller into the new PD at the same selectors, GF RAX = upper<<32 | lower quota limit in pages.
 * The new PD capability copies the owner PD capability's mask (S14 §4.1).
 */
export function createPd(k: Kernel, ec: Ec, sel: bigint, a: Regs): Status {
  const self = k.pd(ec.pd);
  const s = wrapSel(sel);
  const owner = capOf(k, self, wrapSel(a.rsi), "pd", Perm.pd.PD);
  if (self.obj.has(s) || owner === undefined) return Status.BAD_CAP;
  const lower = Number(a.rax & 0xffffffffn) * PAGE_SIZE;
  const upper = Number(a.rax >> 32n) * PAGE_SIZE;
  // GF: a non-zero lower limit moves that much quota from the owner into the new PD; zero lets it draw on the owner's.
  if (!quotaCharge(k, owner.obj, KMEM.pd + lower)) return Status.QUO_OOM;
  const pd = newPd(k, `pd${k.d.nextId}`, owner.obj.id, lower > 0 ? lower : NONE);
  pd.quota.upper = upper;
  owner.obj.refs++;
  installObjCap(k, self, s, pd, owner.perm);
  const c = decodeCrd(a.rdx);
  if (c.type === CrdType.OBJ) {
    const fx = newEffects();
    delegate(k, self, pd, CrdType.OBJ, c.base - (c.base % 2 ** c.order), c.base - (c.base % 2 ** c.order), c.order, c.perm, fx);
    chargeEffects(k, ec.cpu, fx, ecName(ec.id));
  }
  return Status.SUCCESS;
}

/**
 * GF pd_ctrl: sel = source PD, flags = op. TRANSFER_QUOTA: RSI = destination PD, RDX = pages moved.
 * PD_DEBUG: returns limit and usage in RSI, RDX (pages).
 */
export function pdCtrl(k: Kernel, ec: Ec, sel: bigint, flags: number, a: Regs, out: Regs): Status {
  const self = k.pd(ec.pd);
  const src = capOf(k, self, wrapSel(sel), "pd");
  if (src === undefined) return Status.BAD_CAP;
  if (flags === PdOp.PD_DEBUG) {
    const h = quotaHolder(k, src.obj).quota;
    out.rsi = BigInt(Math.floor((h.limit === NONE ? 0 : h.limit) / PAGE_SIZE));
    out.rdx = BigInt(Math.ceil(h.used / PAGE_SIZE));
    return Status.SUCCESS;
  }
  if (flags !== PdOp.TRANSFER_QUOTA) return Status.BAD_PAR;
  const dst = capOf(k, self, wrapSel(a.rsi), "pd");
  if (dst === undefined) return Status.BAD_CAP;
  const bytes = Number(a.rdx) * PAGE_SIZE;
  const from = quotaHolder(k, src.obj);
  const to = quotaHolder(k, dst.obj);
  if (from === to) return Status.SUCCESS;
  if (to.quota.limit === NONE) return Status.BAD_PAR; // an unlimited PD needs no quota
  if (from.quota.limit !== NONE && from.quota.limit - from.quota.used < bytes) return Status.QUO_OOM;
  if (from.quota.limit !== NONE) from.quota.limit -= bytes;
  to.quota.limit += bytes;
  return Status.SUCCESS;
}

destroyHooks.pd = (k, pd) => {
  const fx = newEffects();
  revokeAll(k, pd, fx);
  // PD ids are never reused, so no CPU will be asked about this space again
  for (const cpu of k.m.cpus) cpu.forget(spaceName(pd.id));
  const owner = k.obj(pd.owner);
  if (owner?.kind === "pd") {
    quotaRelease(k, owner, KMEM.pd + (pd.quota.limit === NONE ? 0 : pd.quota.limit));
    return [owner.id];
  }
  return [];
};

export { dropRef };
