/**
 * Grant tables: GNTTABOP_map_grant_ref, unmap_grant_ref and copy, and the dispatch of every
 * GNTTABOP_* sub-op. Source: xen/common/grant_table.c (map_grant_ref, unmap_common, gnttab_copy_*,
 * acquire_grant_for_copy) at c447b7308b13; reference/xen.md §3.
 * A map installs the granter's frame at gfn host_addr >> 12 of the mapper (the HVM view: host_addr
 * is a guest-physical address, by convention a ballooned-out gfn), records it in the mapper's
 * maptrack table and pins the active entry; unmap reverses that and flushes the mapper's TLBs on
 * every CPU its vCPUs ran on — the cost that motivated persistent grants.
 */
import { XEN_EFAULT, XEN_EINVAL, XEN_ENOSYS } from "./abi/errno.js";
import {
  GNTMAP_application_map, GNTMAP_contains_pte, GNTMAP_device_map, GNTMAP_host_map, GNTMAP_readonly, GnttabOp,
  GNTST_bad_dev_addr, GNTST_bad_domain, GNTST_bad_gntref, GNTST_bad_handle, GNTST_bad_page, GNTST_general_error, GNTST_no_space,
  GNTST_okay, GnttabLayout, GTF_permit_access, GTF_reading, GTF_readonly, GTF_sub_page, GTF_type_mask, GTF_writing,
} from "./abi/gnttab.js";
import { XEN_DOMCTL_CDF_hvm } from "./abi/domctl.js";
import { PAGE_SIZE } from "../machine/index.js";
import { int, isStruct, type Struct } from "./decode.js";
import { gnttabCopy } from "./gnttab-copy.js";
import {
  GNTPIN_devr_inc, GNTPIN_devw_inc, GNTPIN_devw_mask, GNTPIN_hstr_inc, GNTPIN_hstw_inc, GNTPIN_hstw_mask, GNTPIN_overflow,
  entryFrame, entryHeader, nrEntries, setStatusFlags,
} from "./gnttab-entry.js";
import { tableHandlers } from "./gnttab-table.js";
import type { Hv } from "./hv.js";
import type { ActiveGrant, DomainState, MaptrackEntry } from "./state.js";

/** Handles one op struct, writing its status; single-struct sub-ops return the hypercall's rc instead. */
export type GnttabHandler = (hv: Hv, d: DomainState, op: Struct) => number | undefined;

/**
 * Fields read with constant names (op.ref, not op[field]): the hot map/unmap path then gets V8's
 * inline caches; anything but a whole number falls back to int(), which decodes or names the field.
 */
function field(v: unknown, op: Struct, name: string, what: string, def?: number): number {
  return typeof v === "number" && Number.isInteger(v) ? v : int(op, name, what, def);
}

function mapGrantRef(hv: Hv, ld: DomainState, op: Struct): undefined {
  const name = "GNTTABOP_map_grant_ref";
  const hostAddr = field(op.host_addr, op, "host_addr", name, 0);
  const flags = field(op.flags, op, "flags", name);
  const ref = field(op.ref, op, "ref", name);
  const dom = field(op.dom, op, "dom", name);
  op.status = mapCheck(hv, ld, hostAddr, flags, ref, dom);
  if (op.status !== GNTST_okay) return;
  const rd = checked.rd!;
  const act = checked.act;
  const frame = checked.frame;
  checked.rd = undefined;
  checked.act = undefined;
  const readonly = (flags & GNTMAP_readonly) !== 0;
  const pin = ((flags & GNTMAP_host_map) !== 0 ? (readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc) : 0) +
    ((flags & GNTMAP_device_map) !== 0 ? (readonly ? GNTPIN_devr_inc : GNTPIN_devw_inc) : 0);
  if (act === undefined) rd.gnttab.active.set(ref, { pin, domid: ld.domid, frame });
  else act.pin += pin;
  setStatusFlags(hv, rd.gnttab, ref, readonly ? GTF_reading : GTF_reading | GTF_writing, 0);
  if ((flags & GNTMAP_host_map) !== 0) ld.foreign.set(hostAddr / PAGE_SIZE, frame * 2 + (readonly ? 1 : 0));
  const entry: MaptrackEntry = { dom: rd.domid, ref, flags: flags & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly), hostAddr, frame };
  const handle = ld.maptrackFree.pop() ?? ld.maptrack.length;
  ld.maptrack[handle] = entry;
  ld.maptrackInUse++;
  op.handle = handle;
  op.dev_bus_addr = (flags & GNTMAP_device_map) !== 0 ? frame * PAGE_SIZE : 0;
  hv.addRate(hv.rates.page_map);
}

/**
 * What a successful mapCheck found, handed to mapGrantRef so that the map does not look up the
 * granter, its active entry and the granted frame a second time (set only on GNTST_okay).
 */
const checked: { rd: DomainState | undefined; act: ActiveGrant | undefined; frame: number } = { rd: undefined, act: undefined, frame: 0 };

/** Every check map_grant_ref makes, in its order; GNTST_okay when the map may go ahead. */
function mapCheck(hv: Hv, ld: DomainState, hostAddr: number, flags: number, ref: number, dom: number): number {
  if ((flags & (GNTMAP_device_map | GNTMAP_host_map)) === 0) return GNTST_bad_gntref;
  if ((ld.flags & XEN_DOMCTL_CDF_hvm) !== 0 && (flags & (GNTMAP_device_map | GNTMAP_application_map | GNTMAP_contains_pte)) !== 0) return GNTST_general_error;
  const rd = hv.lookup(ld, dom);
  if (rd === undefined) return GNTST_bad_domain;
  if (ld.maptrackInUse >= ld.gnttab.maxMaptrackFrames * GnttabLayout.maptrack_per_frame) return GNTST_no_space;
  const gt = rd.gnttab;
  if (ref >>> 0 !== ref || ref >= nrEntries(gt)) return GNTST_bad_gntref;
  const readonly = (flags & GNTMAP_readonly) !== 0;
  const act = gt.active.get(ref);
  if (act !== undefined && act.domid !== ld.domid) return GNTST_general_error;
  let frame = act === undefined ? 0 : act.frame;
  if (act === undefined || (!readonly && (act.pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)) === 0)) {
    const header = entryHeader(hv, gt, ref);
    const eflags = header & 0xffff;
    if ((eflags & GTF_type_mask) !== GTF_permit_access || (eflags & GTF_sub_page) !== 0 || header >>> 16 !== ld.domid) return GNTST_general_error;
    if (!readonly && (eflags & GTF_readonly) !== 0) return GNTST_general_error;
    if (act === undefined) {
      const f = rd.p2m.get(entryFrame(hv, gt, ref));
      if (f === undefined) return GNTST_bad_page;
      frame = f;
    }
  }
  if (act !== undefined && (act.pin & GNTPIN_overflow) !== 0) return GNTST_general_error;
  if ((flags & GNTMAP_host_map) !== 0) {
    const gfn = hostAddr / PAGE_SIZE;
    if (!Number.isInteger(gfn) || gfn < 0 || ld.p2m.has(gfn) || ld.foreign.has(gfn)) return GNTST_general_error;
  }
  checked.rd = rd;
  checked.act = act;
  checked.frame = frame;
  return GNTST_okay;
}

/** Drop what a maptrack entry holds (all of it, or the host/device part); true if a host mapping went. */
export function releaseMapping(hv: Hv, ld: DomainState, handle: number, drop: number): boolean {
  const m = ld.maptrack[handle]!;
  const rd = hv.domain(m.dom);
  const readonly = (m.flags & GNTMAP_readonly) !== 0;
  const host = (drop & m.flags & GNTMAP_host_map) !== 0;
  const dev = (drop & m.flags & GNTMAP_device_map) !== 0;
  const act = rd?.gnttab.active.get(m.ref);
  if (rd !== undefined && act !== undefined) {
    act.pin -= (host ? (readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc) : 0) + (dev ? (readonly ? GNTPIN_devr_inc : GNTPIN_devw_inc) : 0);
    if (act.pin === 0) rd.gnttab.active.delete(m.ref);
    const clear = (act.pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)) === 0 ? GTF_writing : 0;
    setStatusFlags(hv, rd.gnttab, m.ref, 0, act.pin === 0 ? GTF_reading | GTF_writing : clear);
  }
  if (host) ld.foreign.delete(m.hostAddr / PAGE_SIZE);
  m.flags &= ~((host ? GNTMAP_host_map : 0) | (dev ? GNTMAP_device_map : 0));
  if ((m.flags & (GNTMAP_host_map | GNTMAP_device_map)) === 0) {
    ld.maptrack[handle] = undefined;
    ld.maptrackFree.push(handle);
    ld.maptrackInUse--;
  }
  return host;
}

function unmapGrantRef(hv: Hv, ld: DomainState, op: Struct): undefined {
  const name = "GNTTABOP_unmap_grant_ref";
  const hostAddr = field(op.host_addr, op, "host_addr", name, 0);
  const devBusAddr = field(op.dev_bus_addr, op, "dev_bus_addr", name, 0);
  const handle = field(op.handle, op, "handle", name);
  const m = handle >>> 0 === handle ? ld.maptrack[handle] : undefined;
  if (m === undefined) return void (op.status = GNTST_bad_handle);
  if (devBusAddr !== 0 && devBusAddr !== m.frame * PAGE_SIZE) return void (op.status = GNTST_bad_dev_addr);
  if (hostAddr !== 0 && (m.flags & GNTMAP_host_map) !== 0 && hostAddr !== m.hostAddr) return void (op.status = GNTST_general_error);
  const drop = (hostAddr !== 0 ? GNTMAP_host_map : 0) | (devBusAddr !== 0 ? GNTMAP_device_map : 0);
  if (releaseMapping(hv, ld, handle, drop)) hv.flushSpace = ld;
  op.status = GNTST_okay;
}

const nothing: GnttabHandler = () => undefined;

/** `undefined` handlers are sub-ops this model does not implement: -ENOSYS. */
export const gnttabHandlers: Record<GnttabOp, GnttabHandler | undefined> = {
  [GnttabOp.GNTTABOP_map_grant_ref]: mapGrantRef,
  [GnttabOp.GNTTABOP_unmap_grant_ref]: unmapGrantRef,
  [GnttabOp.GNTTABOP_setup_table]: tableHandlers.setupTable,
  [GnttabOp.GNTTABOP_dump_table]: tableHandlers.dumpTable,
  [GnttabOp.GNTTABOP_transfer]: undefined, // PV page transfer: not modelled
  [GnttabOp.GNTTABOP_copy]: gnttabCopy,
  [GnttabOp.GNTTABOP_query_size]: tableHandlers.querySize,
  [GnttabOp.GNTTABOP_unmap_and_replace]: undefined, // PV only: not modelled
  [GnttabOp.GNTTABOP_set_version]: tableHandlers.setVersion,
  [GnttabOp.GNTTABOP_get_status_frames]: tableHandlers.getStatusFrames,
  [GnttabOp.GNTTABOP_get_version]: tableHandlers.getVersion,
  [GnttabOp.GNTTABOP_swap_grant_ref]: tableHandlers.swapGrantRef,
  [GnttabOp.GNTTABOP_cache_flush]: nothing, // Arm cache maintenance: nothing to do on this machine
};

const names: string[] = [];
for (const [name, nr] of Object.entries(GnttabOp)) names[nr] = name;

/** Sub-ops that take exactly one struct and answer in the hypercall's return value (count ≠ 1 → -EINVAL). */
function single(cmd: number): boolean {
  return cmd === GnttabOp.GNTTABOP_set_version || cmd === GnttabOp.GNTTABOP_get_version;
}

/** __HYPERVISOR_grant_table_op(cmd, uop[], count): per-op status in each struct; rc 0 unless the call itself is bad. */
export function grantTableOp(hv: Hv, d: DomainState, cmd: unknown, uop: unknown, count: unknown): number {
  const handler = typeof cmd === "number" ? gnttabHandlers[cmd as GnttabOp] : undefined;
  if (handler === undefined) return -XEN_ENOSYS;
  hv.op = names[cmd as number]!;
  const ops = Array.isArray(uop) ? uop : isStruct(uop) ? [uop] : undefined;
  const n = typeof count === "number" ? count : 1;
  if (ops === undefined || !Number.isInteger(n) || n > ops.length || n < 0) return -XEN_EFAULT;
  if (single(cmd as number)) {
    if (n !== 1) return -XEN_EINVAL;
    if (!isStruct(ops[0])) return -XEN_EFAULT;
    return handler(hv, d, ops[0]) ?? 0;
  }
  for (let i = 0; i < n; i++) if (!isStruct(ops[i])) return -XEN_EFAULT;
  for (let i = 0; i < n; i++) handler(hv, d, ops[i] as Struct);
  return 0;
}
