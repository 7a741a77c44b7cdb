/**
 * Grant entries as laid out in the shared grant-table frames, and Xen's active-entry pin counts.
 * Source: xen/include/public/grant_table.h (grant_entry_v1_t, grant_entry_v2_t, grant_status_t) and
 * xen/common/grant_table.c (GNTPIN_*) at c447b7308b13; sizes measured in reference/xen.md §3.
 *   v1 (8 B): u16 flags @0, u16 domid @2, u32 frame @4 → 512 per frame.
 *   v2 (16 B): hdr {u16 flags, u16 domid} @0; full_page {u32 pad @4, u64 frame @8};
 *              sub_page {u16 page_off @4, u16 length @6, u64 frame @8};
 *              transitive {u16 trans_domid @4, u16 pad @6, u32 gref @8} → 256 per frame.
 *   v2 status: u16 per entry (GTF_reading / GTF_writing) in separate status frames → 2048 per frame.
 */
import { GTF_reading, GTF_writing } from "./abi/gnttab.js";
import type { Hv } from "./hv.js";
import type { GrantTableState, GrantRef } from "./state.js";

export const GNTPIN_hstr_inc = 1 << 0;
export const GNTPIN_hstw_inc = 1 << 8;
export const GNTPIN_devr_inc = 1 << 16;
export const GNTPIN_devw_inc = 1 << 24;
export const GNTPIN_hstw_mask = 0xff << 8;
export const GNTPIN_devw_mask = (0xff << 24) >>> 0;
/** Any count at 128 or more: Xen refuses another pin ("Risk of counter overflow"). */
export const GNTPIN_overflow = 0x80808080;

export interface GrantEntry {
  flags: number;
  domid: number;
  /** v1 and v2 full_page / sub_page: the granted gfn. */
  frame: number;
  /** v2 sub_page window. */
  page_off: number;
  length: number;
  /** v2 transitive. */
  trans_domid: number;
  gref: number;
}

export function entriesPerFrame(version: 1 | 2): number {
  return version === 1 ? 512 : 256;
}

export function nrEntries(gt: GrantTableState): number {
  return gt.frames.length * entriesPerFrame(gt.version);
}

/** The shared frame holding entry `ref`, as u32 words. */
function entryPage(hv: Hv, gt: GrantTableState, ref: GrantRef): Uint32Array {
  return hv.page(gt.frames[Math.floor(ref / entriesPerFrame(gt.version))]!);
}

/** Index of entry `ref`'s first u32 word in its frame. */
function entryWord(gt: GrantTableState, ref: GrantRef): number {
  return gt.version === 1 ? (ref % 512) * 2 : (ref % 256) * 4;
}

function slot(hv: Hv, gt: GrantTableState, ref: GrantRef): [Uint32Array, number] {
  return [entryPage(hv, gt, ref), entryWord(gt, ref)];
}

/** An entry's header word: flags (bits 0–15) and domid (bits 16–31), without building a GrantEntry. */
export function entryHeader(hv: Hv, gt: GrantTableState, ref: GrantRef): number {
  return entryPage(hv, gt, ref)[entryWord(gt, ref)]!;
}

/** A full-page entry's granted gfn (what readEntry(…).frame is), without building a GrantEntry. */
export function entryFrame(hv: Hv, gt: GrantTableState, ref: GrantRef): number {
  const p = entryPage(hv, gt, ref);
  const w = entryWord(gt, ref);
  return gt.version === 1 ? p[w + 1]! : p[w + 2]! + p[w + 3]! * 2 ** 32;
}

export function readEntry(hv: Hv, gt: GrantTableState, ref: GrantRef): GrantEntry {
  const [p, w] = slot(hv, gt, ref);
  const w0 = p[w]!;
  const e: GrantEntry = { flags: w0 & 0xffff, domid: w0 >>> 16, frame: 0, page_off: 0, length: 0, trans_domid: 0, gref: 0 };
  if (gt.version === 1) {
    e.frame = p[w + 1]!;
  } else {
    e.page_off = p[w + 1]! & 0xffff;
    e.length = p[w + 1]! >>> 16;
    e.trans_domid = p[w + 1]! & 0xffff;
    e.frame = p[w + 2]! + p[w + 3]! * 2 ** 32;
    e.gref = p[w + 2]!;
  }
  return e;
}

/** Write an entry the way a guest publishes it: domid and frame first, flags last. */
export function writeEntry(hv: Hv, gt: GrantTableState, ref: GrantRef, e: Partial<GrantEntry>): void {
  const [p, w] = slot(hv, gt, ref);
  const flags = e.flags ?? 0;
  if (gt.version === 1) {
    p[w + 1] = e.frame ?? 0;
  } else if ((flags & 3) === 3) {
    p[w + 1] = e.trans_domid ?? 0;
    p[w + 2] = e.gref ?? 0;
    p[w + 3] = 0;
  } else {
    p[w + 1] = ((e.page_off ?? 0) & 0xffff) | (((e.length ?? 0) & 0xffff) << 16);
    const frame = e.frame ?? 0;
    p[w + 2] = frame >>> 0;
    p[w + 3] = Math.floor(frame / 2 ** 32);
  }
  p[w] = ((flags & 0xffff) | ((e.domid ?? 0) << 16)) >>> 0;
}

/** The flags half-word Xen updates while pinned: in the entry (v1) or the status array (v2). */
export function statusFlags(hv: Hv, gt: GrantTableState, ref: GrantRef): number {
  if (gt.version === 1) return readEntry(hv, gt, ref).flags & (GTF_reading | GTF_writing);
  const p = hv.page(gt.statusFrames[ref >>> 11]!);
  const i = ref & 2047;
  return (p[i >>> 1]! >>> ((i & 1) * 16)) & 0xffff;
}

export function setStatusFlags(hv: Hv, gt: GrantTableState, ref: GrantRef, set: number, clear: number): void {
  if (gt.version === 1) {
    const p = entryPage(hv, gt, ref);
    const w = entryWord(gt, ref);
    p[w] = ((p[w]! & ~clear) | set) >>> 0;
    return;
  }
  const p = hv.page(gt.statusFrames[ref >>> 11]!);
  const i = ref & 2047;
  const shift = (i & 1) * 16;
  const cur = (p[i >>> 1]! >>> shift) & 0xffff;
  const next = (cur & ~clear) | set;
  p[i >>> 1] = ((p[i >>> 1]! & ~(0xffff << shift)) | (next << shift)) >>> 0;
}
