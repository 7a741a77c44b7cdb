/**
 * 2-level event channel ABI: pending and mask bitmaps in shared_info, the per-vCPU selector word
 * and evtchn_upcall_pending in vcpu_info. Source: xen/common/event_2l.c and the xen.h comments at
 * c447b7308b13 (reference/xen.md §2). The page is a Uint32Array of little-endian words; a 64-bit
 * xen_ulong_t bitmap word w is u32 words 2w (bits 0–31) and 2w+1 (bits 32–63), so bit p of the
 * bitmap is bit p & 31 of u32 word p >>> 5 — the same bit either way.
 */
import { SharedInfoLayout as L } from "./abi/xen.js";

const PENDING = L.evtchn_pending / 4;
const MASK = L.evtchn_mask / 4;
const VCPU_WORDS = L.vcpu_info_size / 4;
const SEL = L.evtchn_pending_sel / 4;

export function twoLevelPending(si: Uint32Array, port: number): boolean {
  return (si[PENDING + (port >>> 5)]! & (1 << (port & 31))) !== 0;
}

export function twoLevelMasked(si: Uint32Array, port: number): boolean {
  return (si[MASK + (port >>> 5)]! & (1 << (port & 31))) !== 0;
}

/** Test-and-set the pending bit; true if it was already set (the edge coalesces). */
export function testAndSetPending(si: Uint32Array, port: number): boolean {
  const w = PENDING + (port >>> 5);
  const bit = 1 << (port & 31);
  const old = si[w]!;
  si[w] = old | bit;
  return (old & bit) !== 0;
}

export function clearPending(si: Uint32Array, port: number): void {
  si[PENDING + (port >>> 5)]! &= ~(1 << (port & 31));
}

export function setMask(si: Uint32Array, port: number): void {
  si[MASK + (port >>> 5)]! |= 1 << (port & 31);
}

/** Test-and-clear the mask bit; true if it was set. */
export function testAndClearMask(si: Uint32Array, port: number): boolean {
  const w = MASK + (port >>> 5);
  const bit = 1 << (port & 31);
  const old = si[w]!;
  si[w] = old & ~bit;
  return (old & bit) !== 0;
}

/** Test-and-set selector bit port/64 in a vCPU's evtchn_pending_sel; true if it was already set. */
export function testAndSetSelector(si: Uint32Array, vcpu: number, port: number): boolean {
  const selBit = port >>> 6;
  const w = vcpu * VCPU_WORDS + SEL + (selBit >>> 5);
  const bit = 1 << (selBit & 31);
  const old = si[w]!;
  si[w] = old | bit;
  return (old & bit) !== 0;
}

/** Test-and-set evtchn_upcall_pending (byte 0 of the vCPU's first word); true if it was already set. */
export function testAndSetUpcallPending(si: Uint32Array, vcpu: number): boolean {
  const w = vcpu * VCPU_WORDS;
  const old = si[w]!;
  if ((old & 0xff) !== 0) return true;
  si[w] = (old & ~0xff) | 1;
  return false;
}

export function upcallPending(si: Uint32Array, vcpu: number): boolean {
  return (si[vcpu * VCPU_WORDS]! & 0xff) !== 0;
}

/** evtchn_upcall_mask: byte 1 of the vCPU's first word. */
export function upcallMasked(si: Uint32Array, vcpu: number): boolean {
  return ((si[vcpu * VCPU_WORDS]! >>> 8) & 0xff) !== 0;
}

export function setUpcallMask(si: Uint32Array, vcpu: number, masked: boolean): void {
  const w = vcpu * VCPU_WORDS;
  si[w] = (si[w]! & ~0xff00) | (masked ? 0x100 : 0);
}

/**
 * evtchn_2l_set_pending: set pending; unless masked, set the selector bit and, if that was newly
 * set, tell the caller to mark the vCPU (return true). The caller then does vcpu_mark_events_pending.
 */
export function twoLevelSetPending(si: Uint32Array, vcpu: number, port: number): "coalesced" | "masked" | "selector-set" | "notify" {
  if (testAndSetPending(si, port)) return "coalesced";
  if (twoLevelMasked(si, port)) return "masked";
  if (testAndSetSelector(si, vcpu, port)) return "selector-set";
  return "notify";
}

/** evtchn_2l_unmask: clear the mask; if the port is pending and the selector bit newly set → notify. */
export function twoLevelUnmask(si: Uint32Array, vcpu: number, port: number): boolean {
  return testAndClearMask(si, port) && twoLevelPending(si, port) && !testAndSetSelector(si, vcpu, port);
}
