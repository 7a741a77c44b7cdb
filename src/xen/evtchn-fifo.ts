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

/** The event-array frame holding a port's event word, or undefined if no array page covers it yet. */
function arrayFrame(d: DomainState, port: Port): number | undefined {
  return d.evtchn.fifo?.arrayFrames[Math.floor(port / WORDS)];
}

export function fifoPending(hv: Hv, d: DomainState, port: Port): boolean {
  const frame = arrayFrame(d, port);
  return frame !== undefined && (hv.page(frame)[port % WORDS]! & PENDING) !== 0;
}

export function fifoMasked(hv: Hv, d: DomainState, port: Port): boolean {
  const frame = arrayFrame(d, port);
  return frame !== undefined && (hv.page(frame)[port % WORDS]! & MASKED) !== 0;
}

/** The vCPU's control block words and the word index where it starts. */
export function controlBlock(hv: Hv, d: DomainState, vcpu: number): [Uint32Array, number] | undefined {
  const cb = d.evtchn.fifo?.control[vcpu];
  return cb === undefined ? undefined : [hv.page(cb.frame), cb.offset / 4];
}

/** fifoSetPending's result bits. */
export const FIFO_WAS_PENDING = 1;
export const FIFO_NOTIFY = 2;

/**
 * evtchn_fifo_set_pending: set PENDING; if the event is neither masked nor linked, link it at the
 * tail of its priority queue on the notify vCPU (writing HEAD when the queue was empty) and set
 * that queue's READY bit; a newly set READY bit means an upcall.
 * A port without an event word (array not expanded that far) loses the event, as in Xen.
 * Returns FIFO_WAS_PENDING | FIFO_NOTIFY bits (a number, so the send path allocates nothing).
 */
export function fifoSetPending(hv: Hv, d: DomainState, vcpu: number, port: Port): number {
  const fifo = d.evtchn.fifo;
  if (fifo === undefined) return 0;
  const frame = fifo.arrayFrames[Math.floor(port / WORDS)];
  const cb = fifo.control[vcpu];
  if (frame === undefined || cb === undefined) return 0;
  const page = hv.page(frame);
  const i = port % WORDS;
  const word = page[i]!;
  page[i] = word | PENDING;
  const wasPending = (word & PENDING) !== 0 ? FIFO_WAS_PENDING : 0;
  if ((word & (MASKED | LINKED)) !== 0) return wasPending;
  const q = d.evtchn.priority[port]!;
  const t = vcpu * F.EVTCHN_FIFO_MAX_QUEUES + q;
  page[i] = (page[i]! | LINKED) & ~LINK_MASK;
  const tail = fifo.tail[t]!;
  const tailFrame = tail === 0 ? undefined : fifo.arrayFrames[Math.floor(tail / WORDS)];
  let linked = false;
  if (tailFrame !== undefined) {
    const tp = hv.page(tailFrame);
    const ti = tail % WORDS;
    if ((tp[ti]! & LINKED) !== 0) {
      tp[ti] = (tp[ti]! & ~LINK_MASK) | port;
      linked = true;
    }
  }
  const cbPage = hv.page(cb.frame);
  const base = cb.offset / 4;
  if (!linked) cbPage[base + 2 + q] = port;
  fifo.tail[t] = port;
  const readyBit = 1 << q;
  const wasReady = (cbPage[base]! & readyBit) !== 0;
  cbPage[base] = cbPage[base]! | readyBit;
  return wasReady ? wasPending : wasPending | FIFO_NOTIFY;
}

export function fifoClearPending(hv: Hv, d: DomainState, port: Port): void {
  const frame = arrayFrame(d, port);
  if (frame === undefined) return;
  const page = hv.page(frame);
  const i = port % WORDS;
  page[i] = page[i]! & ~PENDING;
}

/** evtchn_fifo_unmask: clear MASKED; if PENDING, set pending again so the event gets linked. */
export function fifoUnmask(hv: Hv, d: DomainState, vcpu: number, port: Port): void {
  const frame = arrayFrame(d, port);
  if (frame === undefined) return;
  const page = hv.page(frame);
  const i = port % WORDS;
  const word = page[i]!;
  page[i] = word & ~MASKED;
  if ((word & PENDING) !== 0) {
    page[i] = word & ~(MASKED | PENDING);
    if ((fifoSetPending(hv, d, vcpu, port) & FIFO_NOTIFY) !== 0) markEventsPending(hv, d, vcpu);
  }
}

export const FIFO_BITS = { PENDING, MASKED, LINKED, LINK_MASK } as const;
