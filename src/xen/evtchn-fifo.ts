/**
 * FIFO event channel ABI (Xen 4.4+): event words in guest-provided array pages, per-vCPU control
 * blocks with 16 priority queues linked through the words' LINK fields. Xen keeps each queue's tail
 * privately; the guest consumes from the head. Source: xen/common/event_fifo.c and
 * xen/include/public/event_channel.h at c447b7308b13 (reference/xen.md §2).
 * Single-threaded model: the BUSY bit (a guard against concurrent linking) is never needed.
 */
import { EvtchnFifo as F } from "./abi/evtchn.js";
import type { Hv } from "./hv.js";
import { markEventsPending } from "./sched.js";
import type { DomainState, FifoState, Port } from "./state.js";

const PENDING = 1 << F.EVTCHN_FIFO_PENDING;
const MASKED = 1 << F.EVTCHN_FIFO_MASKED;
const LINKED = 1 << F.EVTCHN_FIFO_LINKED;
const LINK_MASK = F.EVTCHN_FIFO_LINK_MASK;
const WORDS = F.EVTCHN_FIFO_EVENT_WORDS_PER_PAGE;

export function newFifoState(vcpus: number): FifoState {
  return { control: new Array(vcpus).fill(undefined), arrayFrames: [], arrayGfns: [], tail: new Uint32Array(vcpus * F.EVTCHN_FIFO_MAX_QUEUES) };
}

/** The page and index of a port's event word, or undefined if no array page covers it yet. */
function wordOf(hv: Hv, d: DomainState, port: Port): [Uint32Array, number] | undefined {
  const frame = d.evtchn.fifo?.arrayFrames[Math.floor(port / WORDS)];
  return frame === undefined ? undefined : [hv.page(frame), port % WORDS];
}

export function fifoPending(hv: Hv, d: DomainState, port: Port): boolean {
  const w = wordOf(hv, d, port);
  return w !== undefined && (w[0][w[1]]! & PENDING) !== 0;
}

export function fifoMasked(hv: Hv, d: DomainState, port: Port): boolean {
  const w = wordOf(hv, d, port);
  return w !== undefined && (w[0][w[1]]! & MASKED) !== 0;
}

/** The vCPU's control block words and the word index where it starts. */
export function controlBlock(hv: Hv, d: DomainState, vcpu: number): [Uint32Array, number] | undefined {
  const cb = d.evtchn.fifo?.control[vcpu];
  return cb === undefined ? undefined : [hv.page(cb.frame), cb.offset / 4];
}

/**
 * evtchn_fifo_set_pending: set PENDING; if the event is neither masked nor linked, link it at the
 * tail of its priority queue on the notify vCPU (writing HEAD when the queue was empty) and set
 * that queue's READY bit; a newly set READY bit means an upcall.
 * A port without an event word (array not expanded that far) loses the event, as in Xen.
 */
export function fifoSetPending(hv: Hv, d: DomainState, vcpu: number, port: Port): { wasPending: boolean; notify: boolean } {
  const w = wordOf(hv, d, port);
  const cb = controlBlock(hv, d, vcpu);
  if (w === undefined || cb === undefined) return { wasPending: false, notify: false };
  const [page, i] = w;
  const word = page[i]!;
  page[i] = word | PENDING;
  const wasPending = (word & PENDING) !== 0;
  if ((word & (MASKED | LINKED)) !== 0) return { wasPending, notify: false };
  const fifo = d.evtchn.fifo!;
  const q = d.evtchn.priority[port]!;
  const t = vcpu * F.EVTCHN_FIFO_MAX_QUEUES + q;
  page[i] = (page[i]! | LINKED) & ~LINK_MASK;
  const tail = fifo.tail[t]!;
  const tw = tail === 0 ? undefined : wordOf(hv, d, tail);
  let linked = false;
  if (tw !== undefined && (tw[0][tw[1]]! & LINKED) !== 0) {
    tw[0][tw[1]] = (tw[0][tw[1]]! & ~LINK_MASK) | port;
    linked = true;
  }
  const [cbPage, base] = cb;
  if (!linked) cbPage[base + 2 + q] = port;
  fifo.tail[t] = port;
  const readyBit = 1 << q;
  const wasReady = (cbPage[base]! & readyBit) !== 0;
  cbPage[base] = cbPage[base]! | readyBit;
  return { wasPending, notify: !wasReady };
}

export function fifoClearPending(hv: Hv, d: DomainState, port: Port): void {
  const w = wordOf(hv, d, port);
  if (w !== undefined) w[0][w[1]] = w[0][w[1]]! & ~PENDING;
}

/** evtchn_fifo_unmask: clear MASKED; if PENDING, set pending again so the event gets linked. */
export function fifoUnmask(hv: Hv, d: DomainState, vcpu: number, port: Port): void {
  const w = wordOf(hv, d, port);
  if (w === undefined) return;
  const word = w[0][w[1]]!;
  w[0][w[1]] = word & ~MASKED;
  if ((word & PENDING) !== 0) {
    w[0][w[1]] = word & ~(MASKED | PENDING);
    const r = fifoSetPending(hv, d, vcpu, port);
    if (r.notify) markEventsPending(hv, d, vcpu);
  }
}

export const FIFO_BITS = { PENDING, MASKED, LINKED, LINK_MASK } as const;
