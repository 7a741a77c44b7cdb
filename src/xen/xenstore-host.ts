/**
 * XenstoreHost over the hypervisor: how xenstored, running in Dom0 (or in a xenstore stub domain),
 * reaches domains. Each call is the hypercall C xenstored's libraries make, issued as the store
 * domain: the ring page is grant GNTTAB_RESERVED_XENSTORE (1) of the guest, mapped with
 * GNTTABOP_map_grant_ref at a store-domain gfn kept for it; ports are bound and kicked with
 * EVTCHNOP_*; charges land on the store domain's (or the client's) CPU as cost-model primitives.
 * Source: tools/xenstored/domain.c @RELEASE-4.22.0 (map_interface, xenevtchn_* calls), reference §4.2.
 */
import type { Machine } from "../machine/index.js";
import { GnttabLayout, GTF_permit_access, GTF_type_mask } from "./abi/gnttab.js";
import { XSD_ERRORS, type XsdError } from "./abi/xs-wire.js";
import { errnoName } from "./abi/errno.js";
import type { XenstoreCost, XenstoreDomainInfo, XenstoreHost } from "./xenstore/host.js";
import type { Hcall } from "./toolstack/hcall.js";
import type { Xen } from "./xen.js";
import { liveView } from "./toolstack/page-views.js";
import type { DomId } from "./state.js";

/** Store-domain gfns where guests' xenstore rings are mapped: one per domid, above any RAM we give Dom0. */
export const XS_RING_MAP_BASE_GFN = 0x40000;
const GNTTAB_RESERVED_XENSTORE = GnttabLayout.GNTTAB_RESERVED_XENSTORE;

function xsdError(rc: number): XsdError {
  const name = errnoName(rc).replace(/^-(XEN_)?/, "");
  return (XSD_ERRORS as readonly string[]).includes(name) ? (name as XsdError) : "EINVAL";
}

export class XenXenstoreHost implements XenstoreHost {
  /** domid → grant-map handle of its ring in the store domain. */
  private readonly maps = new Map<DomId, number>();
  storeDomid: DomId = 0;

  constructor(private readonly xen: Xen, private readonly hc: Hcall) {}

  private get m(): Machine {
    return this.xen.m;
  }

  domainInfo(domid: DomId): XenstoreDomainInfo | undefined {
    const d = this.xen.hv.domain(domid);
    if (d === undefined || d.dying === 2) return undefined;
    return { shutdown: d.isShutdown, dead: d.dying !== 0 };
  }

  mapInterface(domid: DomId): Uint8Array | XsdError {
    const d = this.xen.hv.domain(domid);
    if (d === undefined) return "ENOENT";
    const gt = this.xen.guest(domid).grantTable;
    if (gt.nrEntries <= GNTTAB_RESERVED_XENSTORE) return "ENOENT";
    const e = gt.entry(GNTTAB_RESERVED_XENSTORE);
    if ((e.flags & GTF_type_mask) !== GTF_permit_access || e.domid !== this.storeDomid) return "ENOENT";
    const gfn = XS_RING_MAP_BASE_GFN + domid;
    this.unmapInterface(domid);
    const handle = this.hc.map(this.storeDomid, domid, GNTTAB_RESERVED_XENSTORE, gfn);
    if (handle < 0) return "EACCES";
    this.maps.set(domid, handle);
    return liveView(this.m, this.xen.guest(this.storeDomid).memory.frame(gfn));
  }

  /** `unmap_interface`, when xenstored forgets a domain (domain.c `destroy_domain`). */
  unmapInterface(domid: DomId): void {
    const h = this.maps.get(domid);
    if (h === undefined) return;
    this.maps.delete(domid);
    if (this.xen.hv.domain(this.storeDomid) !== undefined) this.hc.unmap(this.storeDomid, XS_RING_MAP_BASE_GFN + domid, h);
  }

  bindInterdomain(domid: DomId, remotePort: number): number | XsdError {
    if (remotePort <= 0 || domid === this.storeDomid) return "EINVAL";
    const port = this.hc.bindInterdomain(this.storeDomid, domid, remotePort);
    return port < 0 ? xsdError(port) : port;
  }

  unbind(localPort: number): void {
    this.hc.close(this.storeDomid, localPort);
  }

  notify(localPort: number): void {
    this.hc.send(this.storeDomid, localPort);
  }

  /**
   * xs_request: xenstored's per-request work plus the payload copy; xs_ring_copy: bytes copied
   * through a ring page; evtchn_send is charged by the EVTCHNOP_send hypercall itself, so nothing here.
   */
  charge(domid: DomId, op: XenstoreCost, bytes: number): void {
    const d = this.xen.hv.domain(domid);
    if (d === undefined || op === "evtchn_send") return;
    const cpu = d.vcpus[0]?.processor ?? 0;
    if (op === "xs_request") {
      this.m.chargeMany(cpu, ["xenstored_request", ["memcpy_per_byte", bytes]], "xen", "xenstored.request", d.actor, { bytes });
    } else if (bytes > 0) {
      this.m.charge(cpu, "memcpy_per_byte", "xen", "xenstored.ring_copy", d.actor, { bytes }, bytes);
    }
  }
}
