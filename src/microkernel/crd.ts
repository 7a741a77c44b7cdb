/**
 * Capability range descriptor (CRD): one word naming a naturally aligned range of selectors in one
 * of a PD's three spaces (memory pages, I/O ports, object selectors) plus a permission mask.
 * NOVA interface specification, June 2014, §4.3; include/crd.hpp. Hotspot clamping: §3.5, Fig. 3.1.
 */
import { CrdLayout, CrdType, MASK64 } from "./abi.js";

export interface Crd {
  type: CrdType;
  perm: number;
  order: number;
  /** Page number (MEM), port (PIO) or selector (OBJ). Always < 2^52, so a number holds it exactly. */
  base: number;
}

export const NULL_CRD: Crd = { type: CrdType.NULL, perm: 0, order: 0, base: 0 };

export function decodeCrd(word: bigint): Crd {
  const w = word & MASK64;
  return {
    type: Number(w & CrdLayout.TYPE_MASK) as CrdType,
    perm: Number((w >> CrdLayout.PERM_SHIFT) & CrdLayout.PERM_MASK),
    order: Number((w >> CrdLayout.ORDER_SHIFT) & CrdLayout.ORDER_MASK),
    base: Number(w >> CrdLayout.BASE_SHIFT),
  };
}

export function encodeCrd(c: Crd): bigint {
  if (c.type === CrdType.NULL) return 0n;
  return (BigInt(c.base) << CrdLayout.BASE_SHIFT) | (BigInt(c.order & 0x1f) << CrdLayout.ORDER_SHIFT) | (BigInt(c.perm & 0x1f) << CrdLayout.PERM_SHIFT) | BigInt(c.type);
}

/** Typed helpers for cells: `crd.obj(0x40, 0)`, `crd.mem(0x100, 2, 0b011)`. */
export const crd = {
  obj: (base: number, order = 0, perm = 0x1f): bigint => encodeCrd({ type: CrdType.OBJ, base, order, perm }),
  mem: (page: number, order = 0, perm = 0x7): bigint => encodeCrd({ type: CrdType.MEM, base: page, order, perm }),
  pio: (port: number, order = 0): bigint => encodeCrd({ type: CrdType.PIO, base: port, order, perm: 0x1f }),
  null: (): bigint => 0n,
};

export const pow2 = (order: number): number => 2 ** order;

/** Round `x` down to a multiple of 2^order (exact for x < 2^53). */
export function alignDown(x: number, order: number): number {
  const size = pow2(order);
  return x - (x % size);
}

export function isAligned(base: number, order: number): boolean {
  return base % pow2(order) === 0;
}

/** Do [a, a+2^ao) and [b, b+2^bo) overlap? */
export function overlaps(a: number, ao: number, b: number, bo: number): boolean {
  return a < b + pow2(bo) && b < a + pow2(ao);
}

/**
 * Hotspot clamping (S14 spec §3.5 Fig. 3.1; src/pd.cpp Pd::clamp): when the send and receive ranges have
 * different orders, the larger one is narrowed to the smaller order, the address bits that tell which
 * part of it is meant coming from the hotspot. Bases are aligned down first. Returns the clamped send
 * base, receive base and the common order.
 */
export function clamp(sndBase: number, sndOrder: number, rcvBase: number, rcvOrder: number, hotspot: number): { snd: number; rcv: number; order: number } {
  const s = alignDown(sndBase, sndOrder);
  const r = alignDown(rcvBase, rcvOrder);
  if (sndOrder < rcvOrder) {
    const bits = (hotspot % pow2(rcvOrder)) - (hotspot % pow2(sndOrder));
    return { snd: s, rcv: r + bits, order: sndOrder };
  }
  const bits = (hotspot % pow2(sndOrder)) - (hotspot % pow2(rcvOrder));
  return { snd: s + bits, rcv: r, order: rcvOrder };
}

export function crdText(c: Crd): string {
  const t = ["null", "mem", "pio", "obj"][c.type]!;
  return c.type === CrdType.NULL ? "null" : `${t}(base 0x${c.base.toString(16)}, order ${c.order}, perm 0x${c.perm.toString(16)})`;
}
