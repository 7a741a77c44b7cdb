/**
 * The narrow interface through which xenstored sees the rest of the machine. The Xen layer
 * implements it over its domains, grant tables and event channels; tests use a small stand-in.
 * Each member names the C call it replaces (tools/xenstored/domain.c @RELEASE-4.22.0).
 */
import type { XsdError } from "../abi/xs-wire.js";
import type { DomId } from "./path.js";

export interface XenstoreDomainInfo {
  /** XENMANAGE_GETDOMSTATE_STATE_SHUTDOWN: shut down (or crashed), not yet destroyed. */
  readonly shutdown: boolean;
  /** XENMANAGE_GETDOMSTATE_STATE_DEAD: dying or destroyed; xenstored drops it. */
  readonly dead: boolean;
}

/** What a charge is for; the Xen layer maps these onto cost-model primitives. */
export type XenstoreCost =
  | "xs_request" // xenstored handling one request (bytes: payload length)
  | "xs_ring_copy" // copying bytes into or out of a ring page (bytes: count)
  | "evtchn_send"; // an event-channel kick (bytes: 0)

export interface XenstoreHost {
  /** `xenmanage_get_domain_info`: the hypervisor's view of a domain, undefined if it has none. */
  domainInfo(domid: DomId): XenstoreDomainInfo | undefined;
  /**
   * `map_interface`: map the domain's xenstore ring page (grant GNTTAB_RESERVED_XENSTORE) as a
   * live 4096-byte view, or the errno the mapping failed with.
   */
  mapInterface(domid: DomId): Uint8Array | XsdError;
  /** `xenevtchn_bind_interdomain`: bind to the domain's unbound port; xenstored's local port or an errno. */
  bindInterdomain(domid: DomId, remotePort: number): number | XsdError;
  /** `xenevtchn_unbind`. */
  unbind(localPort: number): void;
  /** `xenevtchn_notify` on xenstored's local port: kicks the domain. */
  notify(localPort: number): void;
  /** Account work to the CPU of domain `domid` (xenstored's own domain, or a guest for its client). */
  charge(domid: DomId, op: XenstoreCost, bytes: number): void;
}
