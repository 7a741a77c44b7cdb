/**
 * Mapping operations on a PD's spaces: delegate, translate, revoke and lookup.
 * NOVA interface specification, June 2014, §3.5–§3.6 (delegation, hotspot, revocation), §4.6.2.2
 * (typed items), §5.3.6–7 (revoke, lookup); src/pd.cpp (Pd::delegate, Pd::revoke, xfer_items), src/mdb.cpp.
 */
import { CrdType } from "./abi.js";
import { nodeAt, nodesIn, spaceOf, dropRef } from "./capability.js";
import { NULL_CRD, pow2, type Crd } from "./crd.js";
import { NIL } from "./mdb.js";
import type { Pd } from "./pd.js";
import { spaceName, type Kernel } from "./state.js";

/** What a mapping operation did, so that the caller can charge for it. */
export interface MapEffects {
  /** Memory nodes created (each is one page-table update). */
  mapped: number;
  /** PDs whose memory translations were reduced: they need TLB shootdowns. */
  unmappedSpaces: Set<number>;
}

export const newEffects = (): MapEffects => ({ mapped: 0, unmappedSpaces: new Set() });

/**
 * Delegate [sndBase, sndBase + 2^order) of `src`'s space into `dst` at rcvBase (both already clamped).
 * Rights = source rights ∧ mask. Nothing is inserted where the result is 0 or the receiver already
 * holds something: like NOVA, delegation shrinks silently and never fails with a status.
 * Returns the CRD that landed in the receiver (null when nothing did).
 */
export function delegate(k: Kernel, src: Pd, dst: Pd, type: number, sndBase: number, rcvBase: number, order: number, mask: number, fx: MapEffects): Crd {
  const mdb = k.mdb;
  const sspace = spaceOf(src, type);
  const dspace = spaceOf(dst, type);
  let landed = 0;
  let perms = 0;
  for (const s of nodesIn(k, sspace, type, sndBase, order)) {
    const attr = mdb.attr[s]! & mask;
    if (attr === 0) continue;
    const sb = mdb.base[s]!;
    const lo = Math.max(sb, sndBase);
    const hi = Math.min(sb + pow2(mdb.order[s]!), sndBase + pow2(order));
    const o = Math.log2(hi - lo);
    const rb = rcvBase + (lo - sndBase);
    if (nodesIn(k, dspace, type, rb, o).length > 0) continue; // the receiver already holds something there
    const phys = type === CrdType.OBJ ? mdb.phys[s]! : mdb.phys[s]! + (lo - sb);
    const n = mdb.insert(dst.id, type, attr, o, rb, phys, s);
    dspace.set(rb, n);
    if (type === CrdType.OBJ) k.obj(phys)!.refs++;
    if (type === CrdType.MEM) fx.mapped++;
    landed++;
    perms |= attr;
  }
  return landed === 0 ? NULL_CRD : { type: type as Crd["type"], base: rcvBase, order, perm: perms };
}

/**
 * Translate: name, in the receiver's own space, the capability the sender holds at `sndBase`. Walks
 * the sender's node and its ancestors for a node of the receiver inside the window; the receiver gets
 * its own selector with the sender's rights, or a null CRD.
 */
export function translate(k: Kernel, src: Pd, dst: Pd, type: number, sndBase: number, window: Crd): Crd {
  const mdb = k.mdb;
  const s = nodeAt(k, spaceOf(src, type), type, sndBase);
  if (s === NIL || mdb.attr[s] === 0) return NULL_CRD;
  const lo = window.base;
  const hi = window.base + pow2(window.order);
  for (let p = s; p !== NIL; p = mdb.parent[p]!) {
    if (mdb.space[p] !== dst.id) continue;
    const off = sndBase - mdb.base[s]!;
    const sel = mdb.base[p]! + (type === CrdType.OBJ ? 0 : off);
    if (sel >= lo && sel < hi) return { type: type as Crd["type"], base: sel, order: 0, perm: mdb.attr[s]! };
  }
  return NULL_CRD;
}

/** Remove a node from its PD's space index and the MDB; an object loses one capability. */
function unlink(k: Kernel, n: number, dying: number[]): void {
  const mdb = k.mdb;
  const pd = k.pd(mdb.space[n]!);
  const type = mdb.type[n]!;
  if (pd !== undefined) spaceOf(pd, type).delete(mdb.base[n]!);
  if (type === CrdType.OBJ) dying.push(mdb.phys[n]!);
  mdb.remove(n);
}

/**
 * Revoke `mask` from every descendant of every node of `pd` overlapping the range (and from those
 * nodes themselves with `self`). Nodes left with no rights and no children are unlinked, children
 * first. `keep` (GF keep_in_mdb, "drop"): take every right from the PD's own nodes only, leaving
 * what was delegated from them untouched. Revoke never fails (S14 spec §5.3.6).
 */
export function revoke(k: Kernel, pd: Pd, type: number, base: number, order: number, mask: number, self: boolean, keep: boolean, fx: MapEffects): void {
  const mdb = k.mdb;
  const dying: number[] = [];
  for (const n of nodesIn(k, spaceOf(pd, type), type, base, order)) {
    if (mdb.isFree(n)) continue;
    if (keep) {
      if (type === CrdType.MEM && mdb.attr[n] !== 0) fx.unmappedSpaces.add(pd.id);
      mdb.attr[n] = 0;
      if (mdb.child[n] === NIL) unlink(k, n, dying);
      continue;
    }
    const desc = mdb.descendants(n);
    for (const d of desc) {
      if (type === CrdType.MEM && (mdb.attr[d]! & mask) !== 0) fx.unmappedSpaces.add(mdb.space[d]!);
      mdb.attr[d] = mdb.attr[d]! & ~mask;
    }
    if (self) {
      if (type === CrdType.MEM && (mdb.attr[n]! & mask) !== 0) fx.unmappedSpaces.add(pd.id);
      mdb.attr[n] = mdb.attr[n]! & ~mask;
    }
    for (let i = desc.length - 1; i >= 0; i--) {
      const d = desc[i]!;
      if (mdb.attr[d] === 0 && mdb.child[d] === NIL) unlink(k, d, dying);
    }
    if (mdb.attr[n] === 0 && mdb.child[n] === NIL) unlink(k, n, dying);
  }
  for (const id of dying) dropRef(k, id);
}

/** Remove every node of a PD (its destruction): descendants elsewhere go with them. */
export function revokeAll(k: Kernel, pd: Pd, fx: MapEffects): void {
  for (const type of [CrdType.OBJ, CrdType.MEM, CrdType.PIO]) {
    const space = spaceOf(pd, type);
    for (const n of Array.from(space.values())) {
      if (k.mdb.isFree(n) || k.mdb.space[n] !== pd.id) continue;
      revoke(k, pd, type, k.mdb.base[n]!, k.mdb.order[n]!, 0x1f, true, false, fx);
    }
  }
}

/** Lookup (S14 §5.3.7): the full CRD of the node containing `base`, or a null CRD. */
export function lookup(k: Kernel, pd: Pd, type: number, base: number): Crd {
  if (type === CrdType.NULL) return NULL_CRD;
  const n = nodeAt(k, spaceOf(pd, type), type, base);
  if (n === NIL || k.mdb.attr[n] === 0) return NULL_CRD;
  return { type: type as Crd["type"], base: k.mdb.base[n]!, order: k.mdb.order[n]!, perm: k.mdb.attr[n]! };
}

/** Charge what a mapping operation did: page-table updates, and TLB shootdowns on every CPU that may cache an unmapped space. */
export function chargeEffects(k: Kernel, cpu: number, fx: MapEffects, actor: string): void {
  if (fx.mapped > 0) k.m.charge(cpu, "page_map", "nova", "page_map", actor, { nodes: fx.mapped }, fx.mapped);
  for (const pd of fx.unmappedSpaces) k.m.tlbShootdown(cpu, spaceName(pd), "nova", actor, { pd });
}
