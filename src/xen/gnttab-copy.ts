/**
 * GNTTABOP_copy: copy bytes between frames named by grant reference or, for the caller's own
 * memory, by gfn. Source: xen/common/grant_table.c (gnttab_copy_one, gnttab_copy_lock_domain,
 * acquire_grant_for_copy) at c447b7308b13; reference/xen.md §3 "Copy semantics".
 * The grant is pinned only for the duration of the copy, so a successful copy leaves the tables as
 * they were; only the destination bytes change.
 */
import {
  GNTCOPY_dest_gref, GNTCOPY_source_gref, GNTST_bad_copy_arg, GNTST_bad_domain, GNTST_bad_gntref, GNTST_bad_page,
  GNTST_general_error, GNTST_okay, GNTST_permission_denied, GTF_permit_access, GTF_readonly, GTF_sub_page, GTF_transitive, GTF_type_mask,
} from "./abi/gnttab.js";
import { DOMID_SELF } from "./abi/xen.js";
import { PAGE_SIZE } from "../machine/index.js";
import { int, sub, type Struct } from "./decode.js";
import { nrEntries, readEntry } from "./gnttab-entry.js";
import type { Hv } from "./hv.js";
import type { DomainState, Mfn } from "./state.js";

/** How deep transitive grants may chain (Xen bounds the recursion). */
const MAX_TRANSITIVE_DEPTH = 4;

/**
 * acquire_grant_for_copy: the frame behind `ref` in `rd`'s table for a copy by `ldomid` of
 * [off, off+len); a status when refused.
 */
function acquireForCopy(hv: Hv, rd: DomainState, ref: number, ldomid: number, readonly: boolean, off: number, len: number, depth: number): Mfn | number {
  const gt = rd.gnttab;
  if (ref >>> 0 !== ref || ref >= nrEntries(gt)) return GNTST_bad_gntref;
  const e = readEntry(hv, gt, ref);
  const type = e.flags & GTF_type_mask;
  if (e.domid !== ldomid) return GNTST_general_error;
  if (!readonly && (e.flags & GTF_readonly) !== 0) return GNTST_general_error;
  if (type === GTF_transitive && gt.version === 2) {
    if (!gt.transitive || depth >= MAX_TRANSITIVE_DEPTH) return GNTST_general_error;
    const td = hv.domain(e.trans_domid);
    if (td === undefined || td === rd) return GNTST_general_error;
    const r = acquireForCopy(hv, td, e.gref, rd.domid, readonly, off, len, depth + 1);
    return r < 0 ? GNTST_general_error : r;
  }
  if (type !== GTF_permit_access) return GNTST_general_error;
  if ((e.flags & GTF_sub_page) !== 0) {
    if (gt.version !== 2 || off < e.page_off || off + len > e.page_off + e.length) return GNTST_general_error;
  }
  const frame = rd.p2m.get(e.frame);
  return frame === undefined ? GNTST_bad_page : frame;
}

interface Side {
  d: DomainState;
  ref: number;
  gref: boolean;
  offset: number;
}

function lockSide(hv: Hv, ld: DomainState, p: Struct, gref: boolean, name: string): Side | number {
  const domid = int(p, "domid", name);
  const u = sub(p, "u", name);
  const ref = int(u, gref ? ("ref" in u ? "ref" : "gmfn") : ("gmfn" in u ? "gmfn" : "ref"), name);
  if (!gref && domid !== DOMID_SELF) return GNTST_permission_denied;
  const d = hv.lookup(ld, domid);
  if (d === undefined) return GNTST_bad_domain;
  return { d, ref, gref, offset: int(p, "offset", name) };
}

function frameOf(hv: Hv, ld: DomainState, s: Side, readonly: boolean, len: number): Mfn | number {
  if (s.gref) return acquireForCopy(hv, s.d, s.ref, ld.domid, readonly, s.offset, len, 0);
  const f = s.d.p2m.get(s.ref);
  return f === undefined ? GNTST_bad_page : f;
}

export function gnttabCopy(hv: Hv, ld: DomainState, op: Struct): undefined {
  const name = "GNTTABOP_copy";
  const len = int(op, "len", name);
  const flags = int(op, "flags", name, 0);
  op.status = copyOne(hv, ld, op, len, flags, name);
  return undefined;
}

function copyOne(hv: Hv, ld: DomainState, op: Struct, len: number, flags: number, name: string): number {
  if (len === 0) return GNTST_okay;
  const src = lockSide(hv, ld, sub(op, "source", name), (flags & GNTCOPY_source_gref) !== 0, name);
  if (typeof src === "number") return src;
  const dst = lockSide(hv, ld, sub(op, "dest", name), (flags & GNTCOPY_dest_gref) !== 0, name);
  if (typeof dst === "number") return dst;
  if (len < 0 || src.offset < 0 || dst.offset < 0 || src.offset + len > PAGE_SIZE || dst.offset + len > PAGE_SIZE) return GNTST_bad_copy_arg;
  const sf = frameOf(hv, ld, src, true, len);
  if (sf < 0) return sf;
  const df = frameOf(hv, ld, dst, false, len);
  if (df < 0) return df;
  hv.copy(sf, src.offset, df, dst.offset, len);
  hv.add("memcpy_per_byte", len);
  return GNTST_okay;
}
