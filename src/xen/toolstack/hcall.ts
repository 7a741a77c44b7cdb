/**
 * Hypercalls a kernel (Dom0 Linux, a guest's PV drivers) issues for the split drivers and XenStore:
 * event-channel and grant-table sub-ops with the C structs of event_channel.h and grant_table.h,
 * issued through the Xen handle as vCPU 0 of the calling domain. Failures come back as the ABI's
 * values; callers decide what a failure means for them.
 * Sources: xen/include/public/event_channel.h, grant_table.h @c447b7308b13 (reference/xen.md §2–§3).
 */
import { __HYPERVISOR_event_channel_op, __HYPERVISOR_grant_table_op, DOMID_SELF } from "../abi/xen.js";
import {
  EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq, EVTCHNOP_close, EVTCHNOP_send,
} from "../abi/evtchn.js";
import { GNTCOPY_dest_gref, GNTCOPY_source_gref, GNTMAP_host_map, GNTMAP_readonly, GNTTABOP_copy, GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref } from "../abi/gnttab.js";
import type { Xen } from "../xen.js";
import type { DomId } from "../state.js";

export class Hcall {
  constructor(private readonly xen: Xen) {}

  /** Can the domain's vCPUs run (not paused, not shut down, not dying)? A kernel that cannot run does nothing. */
  canRun(domid: DomId): boolean {
    const d = this.xen.hv.domain(domid);
    return d !== undefined && d.dying === 0 && !d.isShutdown && d.controllerPauseCount === 0;
  }

  /** EVTCHNOP_alloc_unbound {dom: self, remote_dom}: the new port, or a negative errno. */
  allocUnbound(domid: DomId, remote: DomId): number {
    const a = { dom: DOMID_SELF, remote_dom: remote, port: 0 };
    const rc = this.xen.hypercall(domid, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, a);
    return rc < 0 ? rc : a.port;
  }

  /** EVTCHNOP_alloc_unbound as a privileged domain on behalf of `dom` (libxl does this for xenstore and console ports). */
  allocUnboundFor(caller: DomId, dom: DomId, remote: DomId): number {
    const a = { dom, remote_dom: remote, port: 0 };
    const rc = this.xen.hypercall(caller, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, a);
    return rc < 0 ? rc : a.port;
  }

  /** EVTCHNOP_bind_interdomain: the local port, or a negative errno. */
  bindInterdomain(domid: DomId, remote: DomId, remotePort: number): number {
    const a = { remote_dom: remote, remote_port: remotePort, local_port: 0 };
    const rc = this.xen.hypercall(domid, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, a);
    return rc < 0 ? rc : a.local_port;
  }

  bindVirq(domid: DomId, virq: number): number {
    const a = { virq, vcpu: 0, port: 0 };
    const rc = this.xen.hypercall(domid, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, a);
    return rc < 0 ? rc : a.port;
  }

  close(domid: DomId, port: number): number {
    return this.xen.hypercall(domid, __HYPERVISOR_event_channel_op, EVTCHNOP_close, { port });
  }

  send(domid: DomId, port: number): number {
    return this.xen.hypercall(domid, __HYPERVISOR_event_channel_op, EVTCHNOP_send, { port });
  }

  /** GNTTABOP_map_grant_ref with GNTMAP_host_map at gfn `gfn` of the mapper: the handle, or a GNTST_* (< 0). */
  map(domid: DomId, granter: DomId, ref: number, gfn: number, readonly = false): number {
    const op = { host_addr: gfn * 4096, flags: GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0), ref, dom: granter, status: 0, handle: 0, dev_bus_addr: 0 };
    this.xen.hypercall(domid, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, [op], 1);
    return op.status < 0 ? op.status : op.handle;
  }

  unmap(domid: DomId, gfn: number, handle: number): number {
    const op = { host_addr: gfn * 4096, dev_bus_addr: 0, handle, status: 0 };
    this.xen.hypercall(domid, __HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, [op], 1);
    return op.status;
  }

  /**
   * GNTTABOP_copy batch: each entry copies `len` bytes between a foreign grant and a local gfn.
   * Returns the per-op statuses (GNTST_okay = 0).
   */
  copy(domid: DomId, ops: readonly CopyOp[]): number[] {
    if (ops.length === 0) return [];
    const structs = ops.map((o) => {
      const foreign = { u: { ref: o.ref }, domid: o.granter, offset: o.foreignOffset };
      const local = { u: { gmfn: o.gfn }, domid: DOMID_SELF, offset: o.localOffset };
      return o.toForeign
        ? { source: local, dest: foreign, len: o.len, flags: GNTCOPY_dest_gref, status: 0 }
        : { source: foreign, dest: local, len: o.len, flags: GNTCOPY_source_gref, status: 0 };
    });
    this.xen.hypercall(domid, __HYPERVISOR_grant_table_op, GNTTABOP_copy, structs, structs.length);
    return structs.map((s) => s.status);
  }
}

/** One GNTTABOP_copy between a granted page of `granter` and the caller's own gfn. */
export interface CopyOp {
  granter: DomId;
  ref: number;
  foreignOffset: number;
  gfn: number;
  localOffset: number;
  len: number;
  /** true: local → granted page (netback rx, blkback read); false: granted page → local. */
  toForeign: boolean;
}
