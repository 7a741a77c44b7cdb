/**
 * XEN_DOMCTL_destroydomain (domain_kill): close the domain's event channels (remote ends revert to
 * unbound), release the grant mappings it holds, revoke the mappings others hold of its pages,
 * return all its memory and free its domid. Source: xen/common/domain.c domain_kill,
 * evtchn_destroy, gnttab_release_mappings at c447b7308b13.
 * Deviation: Xen keeps a dying domain as a zombie while other domains still map its pages, and frees
 * them when the last mapping goes. Here destruction is immediate: those mappings are revoked (the
 * mapper's handle then reports GNTST_bad_handle and its TLBs are flushed), so no frame is ever
 * reachable by a domain after it was freed.
 */
import { VIRQ_DOM_EXC } from "./abi/xen.js";
import { GNTMAP_device_map, GNTMAP_host_map } from "./abi/gnttab.js";
import { raiseVirq, resetDomainChannels } from "./evtchn.js";
import { resetFifo } from "./evtchn-fifo-ops.js";
import { releaseMapping } from "./gnttab.js";
import type { Hv } from "./hv.js";
import type { DomainState } from "./state.js";

export function destroyDomain(hv: Hv, d: DomainState): number {
  d.dying = 1;
  resetDomainChannels(hv, d);
  resetFifo(hv, d);
  d.maptrack.forEach((m, handle) => {
    if (m !== undefined) releaseMapping(hv, d, handle, GNTMAP_host_map | GNTMAP_device_map);
  });
  for (const other of hv.s.domains.values()) {
    if (other === d) continue;
    let flushed = false;
    other.maptrack.forEach((m, handle) => {
      if (m === undefined || m.dom !== d.domid) return;
      if (releaseMapping(hv, other, handle, GNTMAP_host_map | GNTMAP_device_map)) flushed = true;
    });
    if (flushed) hv.m.tlbShootdown(hv.cpu, other.space, "xen", other.actor, { reason: "grantor destroyed" });
  }
  const ram = [...d.p2m.values()];
  if (ram.length > 0) hv.m.memory.release(ram, d.owner);
  hv.freeXenPages([d.sharedInfoFrame, ...d.gnttab.frames, ...d.gnttab.statusFrames]);
  d.p2m.clear();
  d.totPages = 0;
  d.dying = 2;
  hv.removeDomain(d);
  const owner = hv.domain(hv.s.virqOwner[VIRQ_DOM_EXC] ?? 0);
  if (owner !== undefined) raiseVirq(hv, owner, VIRQ_DOM_EXC);
  return 0;
}
