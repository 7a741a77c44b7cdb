/**
 * User thread control block (UTCB): the page through which an EC sends and receives messages —
 * header (item counts, translate and delegate receive windows, TLS), untyped words from the bottom,
 * typed items (two words each) from the top. NOVA interface specification, June 2014, §4.6;
 * include/utcb.hpp; item placement as Genode's Utcb::append_item (syscall-generic.h@03470e7b).
 */
import { Item, Utcb, type Regs } from "./abi.js";
import { decodeCrd, encodeCrd, type Crd } from "./crd.js";

export function untypedCount(u: BigUint64Array): number {
  return Number(u[Utcb.ITEMS]! & 0xffffn);
}

export function typedCount(u: BigUint64Array): number {
  return Number((u[Utcb.ITEMS]! >> 16n) & 0xffffn);
}

/** Word index of typed item i's CRD (its control word follows). */
export function itemIndex(i: number): number {
  return Utcb.WORDS - 2 * (i + 1);
}

/** A live view of an EC's UTCB: `.words` is the page itself, the accessors read and write the same words. */
export class UtcbView {
  constructor(readonly words: BigUint64Array) {}

  /** Untyped message words w0, w1, … (word 0 sits at byte 0x20). */
  get mr(): BigUint64Array {
    return this.words.subarray(Utcb.DATA);
  }
  get untyped(): number {
    return untypedCount(this.words);
  }
  get typed(): number {
    return typedCount(this.words);
  }
  get crdXlt(): Crd {
    return decodeCrd(this.words[Utcb.CRD_XLT]!);
  }
  set crdXlt(c: Crd | bigint) {
    this.words[Utcb.CRD_XLT] = typeof c === "bigint" ? c : encodeCrd(c);
  }
  get crdDel(): Crd {
    return decodeCrd(this.words[Utcb.CRD_DEL]!);
  }
  set crdDel(c: Crd | bigint) {
    this.words[Utcb.CRD_DEL] = typeof c === "bigint" ? c : encodeCrd(c);
  }

  /** Set the untyped words of the next message; this clears the typed items (as Genode's set_msg_word). */
  setMessage(words: readonly bigint[]): this {
    this.words[Utcb.ITEMS] = BigInt(words.length);
    words.forEach((w, i) => (this.words[Utcb.DATA + i] = w));
    return this;
  }

  message(): bigint[] {
    return Array.from(this.mr.subarray(0, this.untyped));
  }

  /** Append a typed item: kind 0 translate, 1 delegate, 2 translate-else-delegate; `flags` = D/G/WC/H bits. */
  appendItem(crd: bigint, hotspot: number | bigint, kind = 1, flags = 0n): this {
    const t = this.typed;
    this.words[Utcb.ITEMS] = (this.words[Utcb.ITEMS]! & ~(0xffffn << 16n)) | (BigInt(t + 1) << 16n);
    const i = itemIndex(t);
    this.words[i] = crd;
    this.words[i + 1] = (BigInt(hotspot) << Item.HOTSPOT_SHIFT) | flags | BigInt(kind);
    return this;
  }

  /** Typed item i as the receiver sees it: the CRD that landed and whether it was delegated. */
  item(i: number): { crd: Crd; delegated: boolean; control: bigint } {
    const w = itemIndex(i);
    return { crd: decodeCrd(this.words[w]!), delegated: (this.words[w + 1]! & Item.KIND_MASK) === 1n, control: this.words[w + 1]! };
  }

  items(): { crd: Crd; delegated: boolean; control: bigint }[] {
    return Array.from({ length: this.typed }, (_, i) => this.item(i));
  }
}

export function zeroRegs(): Regs {
  return { rdi: 0n, rsi: 0n, rdx: 0n, rax: 0n, r8: 0n };
}
