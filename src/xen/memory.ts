/**
 * Memory reservations: XENMEM_* sub-ops of __HYPERVISOR_memory_op (12) — populate_physmap,
 * increase/decrease_reservation (ballooning), current/maximum_reservation, maximum_ram_page.
 * Source: xen/common/memory.c (do_memory_op, populate_physmap, decrease_reservation) at
 * c447b7308b13; reference/xen.md §1.5. Reservation ops return how many extents they completed;
 * they stop at the first extent that fails (over max_pages, out of memory, bad gfn).
 */
import { XEN_EFAULT, XEN_ENOSYS, XEN_ESRCH } from "./abi/errno.js";
import { MEMOP_MAX_ORDER_CTLDOM, MEMOP_MAX_ORDER_DOMU, XenMem } from "./abi/memory.js";
import { int, isStruct, type Struct } from "./decode.js";
import type { Hv } from "./hv.js";
import type { DomainState } from "./state.js";
import { XSM_TARGET, xsmDefaultAction } from "./xsm.js";

interface Reservation {
  t: DomainState;
  extents: number[];
  n: number;
  order: number;
}

/** Decode xen_memory_reservation; a negative errno, or 0 extents done when the order is refused. */
function reservation(hv: Hv, d: DomainState, a: Struct, name: string): Reservation | number {
  const extents = a.extent_start;
  const n = int(a, "nr_extents", name);
  const order = int(a, "extent_order", name, 0);
  int(a, "mem_flags", name, 0);
  const domid = int(a, "domid", name);
  if (!Array.isArray(extents) || n > extents.length || n < 0) return -XEN_EFAULT;
  const t = hv.lookup(d, domid);
  if (t === undefined) return -XEN_ESRCH;
  const rc = xsmDefaultAction(XSM_TARGET, d, t);
  if (rc !== 0) return rc;
  if (order < 0 || order > (d.isPrivileged ? MEMOP_MAX_ORDER_CTLDOM : MEMOP_MAX_ORDER_DOMU)) return 0;
  return { t, extents: extents as number[], n, order };
}

/** Allocate one extent of 2^order frames to `t`, or undefined (no change) over max_pages or out of memory. */
function allocExtent(hv: Hv, t: DomainState, order: number): number[] | undefined {
  const count = 2 ** order;
  if (t.totPages + count > t.maxPages) return undefined;
  const frames = hv.m.memory.tryAlloc(t.owner, count);
  if (frames === undefined) return undefined;
  t.totPages += count;
  return frames;
}

function populatePhysmap(hv: Hv, d: DomainState, a: Struct): number {
  const r = reservation(hv, d, a, "XENMEM_populate_physmap");
  if (typeof r === "number") return r;
  const count = 2 ** r.order;
  for (let i = 0; i < r.n; i++) {
    const gfn = r.extents[i]!;
    if (!Number.isInteger(gfn) || gfn < 0 || gfn % count !== 0) return i;
    for (let j = 0; j < count; j++) if (r.t.p2m.has(gfn + j) || r.t.foreign.has(gfn + j)) return i;
    const frames = allocExtent(hv, r.t, r.order);
    if (frames === undefined) return i;
    frames.forEach((f, j) => r.t.p2m.set(gfn + j, f));
    hv.add("page_map", count);
  }
  return r.n;
}

/** PV view: the new frames are handed back by number (extent_start[i] = first mfn) and are their own gfns. */
function increaseReservation(hv: Hv, d: DomainState, a: Struct): number {
  const r = reservation(hv, d, a, "XENMEM_increase_reservation");
  if (typeof r === "number") return r;
  for (let i = 0; i < r.n; i++) {
    const frames = allocExtent(hv, r.t, r.order);
    if (frames === undefined) return i;
    frames.forEach((f) => r.t.p2m.set(f, f));
    r.extents[i] = frames[0]!;
  }
  return r.n;
}

/**
 * Balloon out: release the frames at the listed gfns. A frame another domain has mapped through a
 * grant stays (Xen would keep it alive until unmapped); here the extent is refused, which stops the op.
 */
function decreaseReservation(hv: Hv, d: DomainState, a: Struct): number {
  const r = reservation(hv, d, a, "XENMEM_decrease_reservation");
  if (typeof r === "number") return r;
  const count = 2 ** r.order;
  const pinned = new Set<number>();
  for (const act of r.t.gnttab.active.values()) pinned.add(act.frame);
  for (let i = 0; i < r.n; i++) {
    const gfn = r.extents[i]!;
    const frames: number[] = [];
    for (let j = 0; j < count; j++) {
      const f = r.t.p2m.get(gfn + j);
      if (f === undefined || pinned.has(f) || hv.isXenPage(f)) return i;
      frames.push(f);
    }
    for (let j = 0; j < count; j++) r.t.p2m.delete(gfn + j);
    hv.m.memory.release(frames, r.t.owner);
    r.t.totPages -= count;
  }
  return r.n;
}

/** arg: a domid (domid_t *) → tot_pages or max_pages. */
function reservationStat(which: "current" | "maximum") {
  return (hv: Hv, d: DomainState, a: unknown): number => {
    const domid = typeof a === "number" ? a : isStruct(a) ? int(a, "domid", `XENMEM_${which}_reservation`) : undefined;
    if (domid === undefined) return -XEN_EFAULT;
    const t = hv.lookup(d, domid);
    if (t === undefined) return -XEN_ESRCH;
    const rc = xsmDefaultAction(XSM_TARGET, d, t);
    if (rc !== 0) return rc;
    return which === "current" ? t.totPages : t.maxPages;
  };
}

type MemHandler = (hv: Hv, d: DomainState, a: Struct) => number;
const structOnly = (h: MemHandler) => (hv: Hv, d: DomainState, a: unknown): number => (isStruct(a) ? h(hv, d, a) : -XEN_EFAULT);

const handlers: Partial<Record<XenMem, (hv: Hv, d: DomainState, a: unknown) => number>> = {
  [XenMem.XENMEM_increase_reservation]: structOnly(increaseReservation),
  [XenMem.XENMEM_decrease_reservation]: structOnly(decreaseReservation),
  [XenMem.XENMEM_populate_physmap]: structOnly(populatePhysmap),
  [XenMem.XENMEM_current_reservation]: reservationStat("current"),
  [XenMem.XENMEM_maximum_reservation]: reservationStat("maximum"),
  [XenMem.XENMEM_maximum_ram_page]: (hv) => hv.m.memory.frameCount - 1,
};

const names: string[] = [];
for (const [name, nr] of Object.entries(XenMem)) names[nr] = name;

/** __HYPERVISOR_memory_op(cmd, arg). Sub-ops not modelled return -ENOSYS. */
export function memoryOp(hv: Hv, d: DomainState, cmd: unknown, a: unknown): number {
  const h = typeof cmd === "number" ? handlers[cmd as XenMem] : undefined;
  if (h === undefined) return -XEN_ENOSYS;
  hv.op = names[cmd as number]!;
  return h(hv, d, a);
}
