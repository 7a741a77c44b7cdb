/**
 * Grant-table management sub-ops: setup_table, query_size, set_version, get_version,
 * get_status_frames, swap_grant_ref, dump_table; growing the table; releasing a dying domain's
 * grants. Source: xen/common/grant_table.c (gnttab_setup_table, gnttab_grow_table,
 * gnttab_set_version, gnttab_release_mappings) at c447b7308b13; reference/xen.md §3.
 */
import { XEN_EBUSY, XEN_EINVAL, XEN_ENOMEM, XEN_ENOSYS, XEN_ESRCH } from "./abi/errno.js";
import {
  GNTST_bad_domain, GNTST_bad_gntref, GNTST_eagain, GNTST_general_error, GNTST_okay, GNTST_permission_denied, GnttabLayout,
} from "./abi/gnttab.js";
import { int, type Struct } from "./decode.js";
import { entriesPerFrame, nrEntries, readEntry, writeEntry, type GrantEntry } from "./gnttab-entry.js";
import type { Hv } from "./hv.js";
import type { DomainState, GrantTableState } from "./state.js";
import { XSM_TARGET, xsmDefaultAction } from "./xsm.js";

/** Status frames needed for a v2 table of `frames` frames (2048 u16 statuses per frame). */
function statusFramesFor(frames: number): number {
  return Math.ceil((frames * entriesPerFrame(2)) / 2048);
}

/** gnttab_grow_table: add shared (and v2 status) frames up to `frames`; false (and no change) if memory is short. */
export function growTable(hv: Hv, d: DomainState, frames: number): boolean {
  const gt = d.gnttab;
  const add = frames - gt.frames.length;
  const addStatus = gt.version === 2 ? statusFramesFor(frames) - gt.statusFrames.length : 0;
  if (add <= 0) return true;
  const got = hv.allocXenPages(d, add + Math.max(0, addStatus));
  if (got === undefined) return false;
  gt.frames.push(...got.slice(0, add));
  gt.statusFrames.push(...got.slice(add));
  return true;
}

/** The domain named by `dom`, checked with XSM_TARGET; a GNTST status when refused. */
function target(hv: Hv, d: DomainState, dom: number): DomainState | number {
  const t = hv.lookup(d, dom);
  if (t === undefined) return GNTST_bad_domain;
  return xsmDefaultAction(XSM_TARGET, d, t) === 0 ? t : GNTST_permission_denied;
}

function setupTable(hv: Hv, d: DomainState, op: Struct): undefined {
  const nr = int(op, "nr_frames", "GNTTABOP_setup_table");
  const dom = int(op, "dom", "GNTTABOP_setup_table");
  const t = target(hv, d, dom);
  if (typeof t === "number") return void (op.status = t);
  if (nr >>> 0 !== nr || nr > t.gnttab.maxFrames) return void (op.status = GNTST_general_error);
  if (!growTable(hv, t, nr)) return void (op.status = GNTST_general_error);
  op.frame_list = t.gnttab.frames.slice(0, nr);
  op.status = GNTST_okay;
}

function querySize(hv: Hv, d: DomainState, op: Struct): undefined {
  const t = target(hv, d, int(op, "dom", "GNTTABOP_query_size"));
  if (typeof t === "number") return void (op.status = t);
  op.nr_frames = t.gnttab.frames.length;
  op.max_nr_frames = t.gnttab.maxFrames;
  op.status = GNTST_okay;
}

function dumpTable(hv: Hv, d: DomainState, op: Struct): undefined {
  const t = target(hv, d, int(op, "dom", "GNTTABOP_dump_table"));
  op.status = typeof t === "number" ? t : GNTST_okay;
  return undefined;
}

/**
 * IN/OUT version. Refused with -EBUSY while any entry is pinned; the reserved entries 0–7
 * (console, xenstore) carry over, every other entry is cleared; v2 gets status frames.
 */
function setVersion(hv: Hv, d: DomainState, op: Struct): number {
  const version = int(op, "version", "GNTTABOP_set_version");
  const gt = d.gnttab;
  if (version !== 1 && version !== 2) return -XEN_EINVAL;
  if (version === 2 && gt.maxVersion === 1) return -XEN_ENOSYS; // "behave as before set_version was introduced"
  if (version === gt.version) return void (op.version = version), 0;
  if (gt.active.size > 0) return -XEN_EBUSY;
  const reserved: GrantEntry[] = [];
  for (let r = 0; r < GnttabLayout.GNTTAB_NR_RESERVED_ENTRIES; r++) reserved.push(readEntry(hv, gt, r));
  if (version === 2) {
    const status = hv.allocXenPages(d, statusFramesFor(gt.frames.length));
    if (status === undefined) return -XEN_ENOMEM;
    gt.statusFrames = status;
  } else {
    hv.freeXenPages(gt.statusFrames);
    gt.statusFrames = [];
  }
  for (const f of gt.frames) hv.page(f).fill(0);
  gt.version = version;
  reserved.forEach((e, r) => writeEntry(hv, gt, r, e));
  op.version = version;
  return 0;
}

function getVersion(hv: Hv, d: DomainState, op: Struct): number {
  const t = hv.lookup(d, int(op, "dom", "GNTTABOP_get_version"));
  if (t === undefined) return -XEN_ESRCH;
  const rc = xsmDefaultAction(XSM_TARGET, d, t);
  if (rc !== 0) return rc;
  op.version = t.gnttab.version;
  return 0;
}

function getStatusFrames(hv: Hv, d: DomainState, op: Struct): undefined {
  const nr = int(op, "nr_frames", "GNTTABOP_get_status_frames");
  const t = target(hv, d, int(op, "dom", "GNTTABOP_get_status_frames"));
  if (typeof t === "number") return void (op.status = t);
  if (t.gnttab.version !== 2 || nr >>> 0 !== nr || nr > t.gnttab.statusFrames.length) return void (op.status = GNTST_general_error);
  op.frame_list = t.gnttab.statusFrames.slice(0, nr);
  op.status = GNTST_okay;
}

function swapGrantRef(hv: Hv, d: DomainState, op: Struct): undefined {
  const a = int(op, "ref_a", "GNTTABOP_swap_grant_ref");
  const b = int(op, "ref_b", "GNTTABOP_swap_grant_ref");
  const gt = d.gnttab;
  const n = nrEntries(gt);
  if (a >>> 0 !== a || b >>> 0 !== b || a >= n || b >= n) return void (op.status = GNTST_bad_gntref);
  if (gt.active.has(a) || gt.active.has(b)) return void (op.status = GNTST_eagain);
  const ea = readEntry(hv, gt, a);
  writeEntry(hv, gt, a, readEntry(hv, gt, b));
  writeEntry(hv, gt, b, ea);
  op.status = GNTST_okay;
}

export const tableHandlers = { setupTable, querySize, dumpTable, setVersion, getVersion, getStatusFrames, swapGrantRef };

/** Grant-table frames a domain has (for inspection and conservation checks). */
export function tableFrames(gt: GrantTableState): number {
  return gt.frames.length + gt.statusFrames.length;
}

