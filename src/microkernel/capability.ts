/**
 * Capabilities in a PD's three spaces (object, memory, I/O port): look-ups by selector, reference
 * counting of kernel objects, and the destruction of an object with its last capability or reference.
 * NOVA interface specification, June 2014, §2.1 and §4.1; include/capability.hpp, include/space_obj.hpp.
 *
 * A capability is an MDB node: (holder PD, type, base, order, permission mask, what it refers to).
 * Each PD indexes its nodes per space by base in a Map. Nodes are naturally aligned and never overlap
 * inside one space, so the node containing an address is found by aligning the address down to each order.
 */
import { CrdType, NUM_SEL } from "./abi.js";
import { alignDown, overlaps, pow2 } from "./crd.js";
import { NIL } from "./mdb.js";
import type { Pd } from "./pd.js";
import { NONE, type Kernel, type KObject } from "./state.js";

export type SpaceMap = Map<number, number>;

export function spaceOf(pd: Pd, type: number): SpaceMap {
  return type === CrdType.OBJ ? pd.obj : type === CrdType.MEM ? pd.mem : pd.pio;
}

/** Largest order a node of this type can have. */
export function maxOrder(type: number): number {
  return type === CrdType.OBJ ? 26 : type === CrdType.PIO ? 16 : 40;
}

/** Selectors beyond the object space's size wrap around (S14 spec §6.2). */
export function wrapSel(sel: bigint): number {
  return Number(sel & SEL_MASK);
}
const SEL_MASK = BigInt(NUM_SEL - 1);

/** The node whose range contains `addr`, or NIL. */
export function nodeAt(k: Kernel, space: SpaceMap, type: number, addr: number): number {
  const direct = space.get(addr);
  if (direct !== undefined) return direct;
  if (type === CrdType.OBJ) return NIL; // object capabilities are single-selector nodes
  const mdb = k.mdb;
  for (let o = 1; o <= maxOrder(type); o++) {
    const n = space.get(alignDown(addr, o));
    if (n !== undefined && mdb.order[n]! >= o) return n;
  }
  return NIL;
}

/** Nodes of a space that overlap [base, base + 2^order), in a deterministic order. */
export function nodesIn(k: Kernel, space: SpaceMap, type: number, base: number, order: number): number[] {
  const mdb = k.mdb;
  const out: number[] = [];
  const first = nodeAt(k, space, type, base);
  if (first !== NIL && mdb.base[first]! <= base && mdb.order[first]! >= order) return [first];
  const size = pow2(order);
  if (size <= 4 * space.size) {
    for (let a = base; a < base + size; ) {
      const n = space.get(a);
      if (n !== undefined) {
        out.push(n);
        a += pow2(mdb.order[n]!);
      } else a++;
    }
    if (first !== NIL && mdb.base[first]! < base) out.unshift(first);
    return out;
  }
  for (const n of space.values()) if (overlaps(mdb.base[n]!, mdb.order[n]!, base, order)) out.push(n);
  return out;
}

export interface ObjCap {
  node: number;
  obj: KObject;
  perm: number;
}

/** The object capability at `sel` in a PD's object space, or undefined (null capability). */
export function objCap(k: Kernel, pd: Pd, sel: number): ObjCap | undefined {
  const node = pd.obj.get(sel);
  if (node === undefined) return undefined;
  const perm = k.mdb.attr[node]!;
  if (perm === 0) return undefined;
  const obj = k.obj(k.mdb.phys[node]!);
  return obj === undefined ? undefined : { node, obj, perm };
}

/** Capability of a given kind with all of `need` permission bits, or undefined (→ BAD_CAP). */
export function capOf<K extends KObject["kind"]>(k: Kernel, pd: Pd, sel: number, kind: K, need = 0): (ObjCap & { obj: Extract<KObject, { kind: K }> }) | undefined {
  const c = objCap(k, pd, sel);
  if (c === undefined || c.obj.kind !== kind || (c.perm & need) !== need) return undefined;
  return c as ObjCap & { obj: Extract<KObject, { kind: K }> };
}

/** Put a fresh root capability for an object into a PD's object space. */
export function installObjCap(k: Kernel, pd: Pd, sel: number, obj: KObject, perm: number): number {
  const n = k.mdb.insert(pd.id, CrdType.OBJ, perm, 0, sel, obj.id, NIL);
  pd.obj.set(sel, n);
  obj.refs++;
  return n;
}

export function addRef(o: KObject): void {
  o.refs++;
}

/**
 * Drop one reference (a capability or a kernel reference such as PT → EC). An object dies with its
 * last one; the destructors may drop further references, so this runs as a work list.
 */
export function dropRef(k: Kernel, id: number): void {
  const work = [id];
  while (work.length > 0) {
    const o = k.obj(work.pop()!);
    if (o === undefined) continue;
    o.refs--;
    if (o.refs > 0) continue;
    k.remove(o.id);
    for (const next of destroyHooks[o.kind](k, o as never)) work.push(next);
  }
}

/** Per-kind destructors, registered by the object files: they return the ids whose reference they drop. */
export const destroyHooks: { [K in KObject["kind"]]: (k: Kernel, o: Extract<KObject, { kind: K }>) => number[] } = {
  pd: () => [],
  ec: () => [],
  sc: () => [],
  pt: () => [],
  sm: () => [],
};

export function isNone(x: number): boolean {
  return x === NONE;
}
