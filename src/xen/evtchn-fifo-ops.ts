/**
 * The FIFO ABI's own sub-ops: EVTCHNOP_init_control, EVTCHNOP_expand_array, EVTCHNOP_set_priority,
 * and reverting to 2-level on a self reset. Source: xen/common/event_fifo.c and event_channel.c at
 * c447b7308b13 (reference/xen.md §1.2, §2). The control block and array pages are the guest's own
 * RAM; Xen maps them (XenState.xenPages, hv.mapPage) and works on their bytes in place.
 */
import { XEN_EINVAL, XEN_ENOENT, XEN_ENOSPC, XEN_ENOSYS, XEN_EOPNOTSUPP } from "./abi/errno.js";
import { EvtchnFifo as F } from "./abi/evtchn.js";
import { PAGE_SIZE } from "../machine/index.js";
import { int, type Struct } from "./decode.js";
import { newFifoState } from "./evtchn-fifo.js";
import { portIsValid } from "./evtchn-port.js";
import type { Hv } from "./hv.js";
import type { DomainState } from "./state.js";

/** IN control_gfn, offset, vcpu → OUT link_bits. The first call switches the domain to FIFO. */
export function initControl(hv: Hv, d: DomainState, a: Struct): number {
  const gfn = int(a, "control_gfn", "EVTCHNOP_init_control");
  const offset = int(a, "offset", "EVTCHNOP_init_control");
  const vcpu = int(a, "vcpu", "EVTCHNOP_init_control");
  if (hv.vcpu(d, vcpu) === undefined) return -XEN_ENOENT;
  if ((offset & 7) !== 0 || offset < 0 || offset > PAGE_SIZE - F.control_block_size) return -XEN_EINVAL;
  const frame = d.p2m.get(gfn);
  if (frame === undefined) return -XEN_EINVAL;
  if (d.evtchn.fifo?.control[vcpu] !== undefined) return -XEN_EINVAL;
  if (d.evtchn.fifo === undefined) {
    d.evtchn.fifo = newFifoState(d.vcpus.length);
    d.evtchn.abi = 1;
  }
  hv.mapPage(frame);
  d.evtchn.fifo.control[vcpu] = { gfn, frame, offset };
  a.link_bits = F.EVTCHN_FIFO_LINK_BITS;
  return 0;
}

/** IN array_gfn: one more event-array page (1024 event words). */
export function expandArray(hv: Hv, d: DomainState, a: Struct): number {
  const gfn = int(a, "array_gfn", "EVTCHNOP_expand_array");
  const fifo = d.evtchn.fifo;
  if (fifo === undefined) return -XEN_EOPNOTSUPP;
  if (fifo.arrayFrames.length >= F.EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES) return -XEN_ENOSPC;
  const frame = d.p2m.get(gfn);
  if (frame === undefined || hv.isXenPage(frame)) return -XEN_EINVAL;
  hv.mapPage(frame);
  fifo.arrayFrames.push(frame);
  fifo.arrayGfns.push(gfn);
  return 0;
}

/** IN port, priority (0 highest … 15 lowest). */
export function setPriority(_hv: Hv, d: DomainState, a: Struct): number {
  const port = int(a, "port", "EVTCHNOP_set_priority");
  const priority = int(a, "priority", "EVTCHNOP_set_priority");
  if (d.evtchn.abi !== 1) return -XEN_ENOSYS;
  if (!portIsValid(d.evtchn, port)) return -XEN_EINVAL;
  if (priority >>> 0 !== priority || priority > F.EVTCHN_FIFO_PRIORITY_MIN) return -XEN_EINVAL;
  d.evtchn.priority[port] = priority;
  return 0;
}

/** Back to 2-level: Xen unmaps the control blocks and event array (their bytes were always the guest's RAM). */
export function resetFifo(hv: Hv, d: DomainState): void {
  const fifo = d.evtchn.fifo;
  if (fifo === undefined) return;
  for (const cb of fifo.control) if (cb !== undefined) hv.unmapPage(cb.frame);
  for (const f of fifo.arrayFrames) hv.unmapPage(f);
  d.evtchn.fifo = undefined;
  d.evtchn.abi = 0;
}
