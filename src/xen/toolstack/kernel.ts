/**
 * A PV kernel's view of its own domain, as the split drivers need it: a XenStore connection, free
 * RAM pages (by gfn) and free grant references, live byte views of pages, and where foreign pages
 * get mapped. Dom0 Linux and each guest's kernel have one; the drivers never reach around it.
 * Grant refs 0–7 are reserved (GNTTAB_NR_RESERVED_ENTRIES: 0 console, 1 xenstore).
 */
import { UsageError } from "../../machine/index.js";
import { GnttabLayout } from "../abi/gnttab.js";
import { __HYPERVISOR_memory_op } from "../abi/xen.js";
import { XENMEM_decrease_reservation, XENMEM_populate_physmap } from "../abi/memory.js";
import type { Xen } from "../xen.js";
import type { DomId } from "../state.js";
import type { EventLoop } from "./event-loop.js";
import type { Hcall } from "./hcall.js";
import type { XsClient } from "./xs.js";
import { liveView } from "./page-views.js";

/** Gfns above guest RAM where a kernel maps foreign (granted) pages. */
export const FOREIGN_MAP_BASE_GFN = 0x50000;

export class Kernel {
  private freeGfns: number[] = [];
  private nextGfn: number;
  private freeRefs: number[] = [];
  private nextRef: number = GnttabLayout.GNTTAB_NR_RESERVED_ENTRIES;
  private nextForeign = FOREIGN_MAP_BASE_GFN;
  private freeForeign: number[] = [];
  /** Gfns the balloon driver gave back to Xen (highest first), to repopulate when the target grows. */
  private ballooned: number[] = [];
  /**
   * A backend's own work per request outside its hypercalls (the OS around netback/blkback): Linux's
   * skb/bio set-up by default. A scenario whose backends are not Linux replaces it with their path.
   */
  backendWork: (op: string, bytes: number) => void = (op, bytes) => {
    const d = this.xen.hv.domain(this.domid);
    if (d !== undefined) this.xen.m.charge(d.vcpus[0]?.processor ?? 0, "linux_backend_request", "xen", op, d.actor, { bytes });
  };

  constructor(
    readonly xen: Xen,
    readonly hc: Hcall,
    readonly loop: EventLoop,
    readonly domid: DomId,
    readonly xs: XsClient,
    /** RAM gfns this kernel may hand out: [first, end). */
    firstGfn: number,
    private endGfn: number,
  ) {
    this.nextGfn = firstGfn;
  }

  /**
   * The balloon driver (Linux drivers/xen/balloon.c, reacting to `memory/target`): give never-used
   * pages at the top of the driver pool back to Xen with XENMEM_decrease_reservation until the domain
   * holds `targetPages`, or repopulate ballooned gfns with XENMEM_populate_physmap to grow back.
   * Pages already handed to drivers are never ballooned. Returns the pages moved (−: released).
   */
  balloonTo(targetPages: number): number {
    const d = this.xen.hv.domain(this.domid);
    if (d === undefined) return 0;
    let moved = 0;
    while (d.totPages > targetPages && this.endGfn > this.nextGfn) {
      const gfn = this.endGfn - 1;
      const done = this.xen.hypercall(this.domid, __HYPERVISOR_memory_op, XENMEM_decrease_reservation, { extent_start: [gfn], nr_extents: 1, extent_order: 0, mem_flags: 0, domid: this.domid });
      if (done !== 1) break;
      this.endGfn--;
      this.ballooned.push(gfn);
      moved--;
    }
    while (d.totPages < targetPages && this.ballooned.length > 0) {
      const gfn = this.ballooned[this.ballooned.length - 1]!;
      if (gfn !== this.endGfn) break;
      const done = this.xen.hypercall(this.domid, __HYPERVISOR_memory_op, XENMEM_populate_physmap, { extent_start: [gfn], nr_extents: 1, extent_order: 0, mem_flags: 0, domid: this.domid });
      if (done !== 1) break;
      this.ballooned.pop();
      this.endGfn++;
      moved++;
    }
    return moved;
  }

  allocPage(): number {
    const g = this.freeGfns.pop() ?? (this.nextGfn < this.endGfn ? this.nextGfn++ : undefined);
    if (g === undefined) throw new UsageError("guest-out-of-memory", `dom${this.domid}'s kernel has no free page left for its drivers`, "give the domain more memory (memory= in its xl.cfg)");
    this.page(g).fill(0);
    return g;
  }

  freePage(gfn: number): void {
    this.freeGfns.push(gfn);
  }

  allocRef(): number {
    const r = this.freeRefs.pop() ?? this.nextRef++;
    if (r >= this.xen.guest(this.domid).grantTable.nrEntries) throw new UsageError("grant-table-full", `dom${this.domid}'s grant table has no free entry`, "grow it with GNTTABOP_setup_table");
    return r;
  }

  freeRef(ref: number): void {
    this.freeRefs.push(ref);
  }

  /** Grant `gfn` to `to` (GTF_permit_access), returning the ref. */
  grant(gfn: number, to: DomId, readonly = false): number {
    const ref = this.allocRef();
    this.xen.guest(this.domid).grantTable.grantAccess(ref, to, gfn, readonly);
    return ref;
  }

  /** End a grant; false (and the ref kept) while the peer still has it mapped. */
  endGrant(ref: number): boolean {
    if (!this.xen.guest(this.domid).grantTable.endAccess(ref)) return false;
    this.freeRef(ref);
    return true;
  }

  /** A live view of one of this domain's pages (own RAM or a mapped foreign page). */
  page(gfn: number): Uint8Array {
    return liveView(this.xen.m, this.xen.guest(this.domid).memory.frame(gfn));
  }

  /** Map `granter`'s grant `ref` here: the gfn and grant handle, or the GNTST_* status (< 0). */
  mapForeign(granter: DomId, ref: number, readonly = false): { gfn: number; handle: number } | number {
    const gfn = this.freeForeign.pop() ?? this.nextForeign++;
    const handle = this.hc.map(this.domid, granter, ref, gfn, readonly);
    if (handle < 0) {
      this.freeForeign.push(gfn);
      return handle;
    }
    return { gfn, handle };
  }

  unmapForeign(m: { gfn: number; handle: number }): void {
    this.hc.unmap(this.domid, m.gfn, m.handle);
    this.freeForeign.push(m.gfn);
  }
}
