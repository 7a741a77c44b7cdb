/**
 * A domain's event-channel table: allocation (lowest free port, port 0 reserved), validity, and
 * the ABI-independent port operations — set pending, clear pending, unmask — dispatched to the
 * 2-level or FIFO implementation. Source: xen/common/event_channel.c (evtchn_init, get_free_port,
 * port_is_valid, evtchn_port_set_pending), c447b7308b13; reference/xen.md §2.
 */
import { ECS_FREE, ECS_RESERVED, EvtchnFifo } from "./abi/evtchn.js";
import { EVTCHN_2L_NR_CHANNELS, NR_VIRQS } from "./abi/xen.js";
import { clearPending as clear2l, twoLevelMasked, twoLevelPending, twoLevelSetPending, twoLevelUnmask } from "./evtchn-2l.js";
import { FIFO_NOTIFY, FIFO_WAS_PENDING, fifoClearPending, fifoMasked, fifoPending, fifoSetPending, fifoUnmask } from "./evtchn-fifo.js";
import type { Hv } from "./hv.js";
import { checkPollers, markEventsPending } from "./sched.js";
import type { DomainState, EvtchnState, Port } from "./state.js";

/** Ports are allocated in buckets of this many (Xen grows `valid_evtchns` a bucket at a time). */
export const EVTCHNS_PER_BUCKET = 64;

export function newEvtchnState(maxPort: number, vcpus: number): EvtchnState {
  const e: EvtchnState = {
    abi: 0,
    maxPort,
    freeHint: 1,
    inUse: 1,
    state: new Uint8Array(EVTCHNS_PER_BUCKET),
    notify: new Uint16Array(EVTCHNS_PER_BUCKET),
    remoteDom: new Uint16Array(EVTCHNS_PER_BUCKET),
    remotePort: new Uint32Array(EVTCHNS_PER_BUCKET),
    priority: new Uint8Array(EVTCHNS_PER_BUCKET).fill(EvtchnFifo.EVTCHN_FIFO_PRIORITY_DEFAULT),
    virqToPort: new Array<number>(vcpus * NR_VIRQS).fill(0),
    pollers: 0,
    fifo: undefined,
  };
  e.state[0] = ECS_RESERVED;
  return e;
}

/** Ports the ABI in use can name at all. */
export function abiPorts(e: EvtchnState): number {
  return e.abi === 0 ? EVTCHN_2L_NR_CHANNELS : EvtchnFifo.EVTCHN_FIFO_NR_CHANNELS;
}

/** port_is_valid: below the ABI limit and inside an allocated bucket. */
export function portIsValid(e: EvtchnState, port: number): boolean {
  return port >>> 0 === port && port < e.state.length && port < abiPorts(e);
}

/** get_free_port without taking it: the lowest free port ≥ 1, or -ENOSPC as undefined. */
export function findFreePort(e: EvtchnState): Port | undefined {
  const limit = Math.min(e.maxPort, abiPorts(e) - 1);
  for (let p = e.freeHint; p <= limit; p++) if (p >= e.state.length || e.state[p] === ECS_FREE) return p;
  return undefined;
}

/** Take a port found by findFreePort: grow the bucket arrays if needed and mark it in use. */
export function takePort(e: EvtchnState, port: Port, state: number, notify: number): void {
  if (port >= e.state.length) growTo(e, port + 1);
  e.state[port] = state;
  e.notify[port] = notify;
  e.inUse++;
  e.freeHint = port + 1;
}

export function freePort(hv: Hv, d: DomainState, port: Port): void {
  const e = d.evtchn;
  clearPortPending(hv, d, port);
  e.state[port] = ECS_FREE;
  e.notify[port] = 0;
  e.remoteDom[port] = 0;
  e.remotePort[port] = 0;
  e.priority[port] = EvtchnFifo.EVTCHN_FIFO_PRIORITY_DEFAULT;
  e.inUse--;
  if (port < e.freeHint) e.freeHint = port;
}

function growTo(e: EvtchnState, n: number): void {
  let size = e.state.length;
  while (size < n) size *= 2;
  size = Math.min(size, Math.ceil(abiPorts(e) / EVTCHNS_PER_BUCKET) * EVTCHNS_PER_BUCKET);
  const grow = <T extends Uint8Array | Uint16Array | Uint32Array>(a: T, fill = 0): T => {
    const b = new (a.constructor as new (n: number) => T)(size);
    b.fill(fill);
    b.set(a);
    return b;
  };
  e.state = grow(e.state);
  e.notify = grow(e.notify);
  e.remoteDom = grow(e.remoteDom);
  e.remotePort = grow(e.remotePort);
  e.priority = grow(e.priority, EvtchnFifo.EVTCHN_FIFO_PRIORITY_DEFAULT);
}

/**
 * evtchn_port_set_pending: mark the port pending in the domain's ABI; if that makes an upcall due,
 * mark the notify vCPU (vcpu_mark_events_pending). Pollers of the port wake either way.
 */
export function setPortPending(hv: Hv, d: DomainState, vcpu: number, port: Port): void {
  let notify: boolean;
  let wasPending: boolean;
  if (d.evtchn.abi === 0) {
    const r = twoLevelSetPending(hv.page(d.sharedInfoFrame), vcpu, port);
    wasPending = r === "coalesced";
    notify = r === "notify";
  } else {
    const r = fifoSetPending(hv, d, vcpu, port);
    wasPending = (r & FIFO_WAS_PENDING) !== 0;
    notify = (r & FIFO_NOTIFY) !== 0;
  }
  if (notify) markEventsPending(hv, d, vcpu);
  if (!wasPending && d.evtchn.pollers > 0) checkPollers(hv, d, port);
}

export function clearPortPending(hv: Hv, d: DomainState, port: Port): void {
  if (d.evtchn.abi === 0) clear2l(hv.page(d.sharedInfoFrame), port);
  else fifoClearPending(hv, d, port);
}

export function unmaskPort(hv: Hv, d: DomainState, port: Port): void {
  const vcpu = d.evtchn.notify[port]!;
  if (d.evtchn.abi === 0) {
    if (twoLevelUnmask(hv.page(d.sharedInfoFrame), vcpu, port)) markEventsPending(hv, d, vcpu);
  } else {
    fifoUnmask(hv, d, vcpu, port);
  }
}

export function portPending(hv: Hv, d: DomainState, port: Port): boolean {
  return d.evtchn.abi === 0 ? twoLevelPending(hv.page(d.sharedInfoFrame), port) : fifoPending(hv, d, port);
}

export function portMasked(hv: Hv, d: DomainState, port: Port): boolean {
  return d.evtchn.abi === 0 ? twoLevelMasked(hv.page(d.sharedInfoFrame), port) : fifoMasked(hv, d, port);
}
