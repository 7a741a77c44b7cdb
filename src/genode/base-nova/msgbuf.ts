/**
 * Genode's message buffer on NOVA: the UTCB is the buffer. Untyped words from the data area
 * (word 0 = opcode or exception code), capability arguments as typed items of kind
 * translate-else-delegate from the top, hotspot = argument index; the receiver's windows are
 * CRD_XLT = Obj_crd(0, ~0) and CRD_DEL = 2^MAX_CAP_ARGS_LOG2 fresh selectors.
 * genodelabs/genode repos/base-nova/src/lib/base/ipc.cc, include/nova/receive_window.h
 * (reference/nova.md §6); UTCB layout S14 §4.6 (src/microkernel/abi.ts `Utcb`).
 */
import { ItemKind, Utcb } from "../../microkernel/abi.js";
import { crd, decodeCrd } from "../../microkernel/crd.js";
import type { Capability, KernelPd, Msgbuf } from "../kernel.js";

/** `MAX_CAP_ARGS_LOG2 = 2`: a receive window holds four selectors. */
export const RECEIVE_WINDOW = 1 << 2;
/** Order of the translate window Obj_crd(0, ~0): the whole object space (2^26 selectors, nova.md §2.1). */
const WHOLE_SPACE_ORDER = 26;
const TWO_63 = 1n << 63n;
const TRANSLATE_ITEM = BigInt(ItemKind.TRANSLATE_ELSE_DELEGATE);

/** Write a message into a UTCB; returns the words written (untyped plus two per typed item). */
export function writeMessage(u: BigUint64Array, msg: Msgbuf): number {
  const words = msg.words;
  const n = words.length;
  // a negative word (an exception code) is stored as its two's complement; others convert directly
  for (let i = 0; i < n; i++) {
    const w = words[i]!;
    u[Utcb.DATA + i] = w >= 0 ? BigInt(w) : BigInt.asUintN(64, BigInt(w));
  }
  const caps = msg.caps;
  for (let i = 0; i < caps.length; i++) {
    u[Utcb.WORDS - 2 - 2 * i] = crd.obj(caps[i]!.sel, 0);
    u[Utcb.WORDS - 1 - 2 * i] = TRANSLATE_ITEM | (BigInt(i) << 12n);
  }
  u[Utcb.ITEMS] = BigInt(n | (caps.length << 16));
  return n + 2 * caps.length;
}

/** Read the message a UTCB received; capabilities as `holder` now holds them (translated or delegated). */
export function readMessage(u: BigUint64Array, holder: KernelPd): Msgbuf {
  const hdr = Number(u[Utcb.ITEMS]! & 0xffffffffn);
  const n = hdr & 0xffff;
  const t = hdr >>> 16;
  const words: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const w = u[Utcb.DATA + i]!;
    words[i] = w < TWO_63 ? Number(w) : Number(BigInt.asIntN(64, w));
  }
  const caps: Capability[] = [];
  for (let i = 0; i < t; i++) {
    const w = u[Utcb.WORDS - 2 - 2 * i]!;
    if (w !== 0n) caps.push({ pd: holder, sel: decodeCrd(w).base });
  }
  return { words, caps };
}

/** Set the receive windows for the next message: translate against everything, delegate at `base`. */
export function openReceiveWindows(u: BigUint64Array, base: number): void {
  u[Utcb.CRD_XLT] = crd.obj(0, WHOLE_SPACE_ORDER);
  u[Utcb.CRD_DEL] = crd.obj(base, 2);
}
