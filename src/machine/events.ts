/**
 * Discrete-event queue: events fire in order of time; events at the same time fire in the order they
 * were scheduled (a global sequence number), so a run never depends on heap layout or insertion
 * accidents. Events are data — a kind, a target CPU and a payload of plain data — never closures,
 * so the queue can be snapshotted and restored exactly. Handlers are registered per kind.
 *
 * A 4-ary heap (half the depth of a binary one, so fewer cache misses per pop) whose times sit in a
 * typed array in heap order, moved together with the slot that holds the event's sequence number,
 * kind, CPU and payload: O(log n) insert and pop, no pointer chasing
 * while sifting, and no allocation per event beyond its payload.
 */
import type { CpuId, Cycles } from "./units.js";

export interface PendingEvent {
  time: Cycles;
  seq: number;
  cpu: CpuId;
  kind: string;
  payload: unknown;
}

export interface EventQueueState {
  nextSeq: number;
  events: PendingEvent[];
}

const INITIAL = 64;

export class EventQueue {
  // Heap order: position i holds the i-th heap node's key and the slot of its event.
  private hTime = new Float64Array(INITIAL);
  private hSlot = new Int32Array(INITIAL);
  private size = 0;
  // Slots: what an event carries besides its key.
  private cpu = new Int32Array(INITIAL);
  private seq = new Float64Array(INITIAL);
  private kind: string[] = [];
  private payload: unknown[] = [];
  // Free slot numbers as a stack in a typed array: cheaper than a JS array's push/pop on this path.
  private freeSlots = new Int32Array(INITIAL);
  private freeCount = 0;
  private slotCount = 0;
  private nextSeq = 0;

  get length(): number {
    return this.size;
  }

  /** Time of the earliest pending event, or Infinity when none is pending. */
  peekTime(): Cycles {
    return this.size === 0 ? Infinity : this.hTime[0]!;
  }

  push(time: Cycles, cpu: CpuId, kind: string, payload: unknown): void {
    this.insert(time, this.nextSeq++, cpu, kind, payload);
  }

  /** Remove the earliest event and return it. */
  pop(): PendingEvent | undefined {
    const out: PendingEvent = { time: 0, seq: 0, cpu: 0, kind: "", payload: undefined };
    return this.popInto(out) ? out : undefined;
  }

  /** Remove the earliest event into `out` (no allocation); false when the queue is empty. */
  popInto(out: PendingEvent): boolean {
    if (this.size === 0) return false;
    const slot = this.hSlot[0]!;
    out.time = this.hTime[0]!;
    out.seq = this.seq[slot]!;
    out.cpu = this.cpu[slot]!;
    out.kind = this.kind[slot]!;
    out.payload = this.payload[slot];
    this.payload[slot] = undefined;
    if (this.freeCount === this.freeSlots.length) this.freeSlots = grow(this.freeSlots);
    this.freeSlots[this.freeCount++] = slot;
    const last = --this.size;
    if (last > 0) this.siftDown(this.hTime[last]!, this.hSlot[last]!);
    return true;
  }

  /** Pending events in firing order (a copy; for inspection and snapshots). */
  list(): PendingEvent[] {
    const out: PendingEvent[] = [];
    for (let i = 0; i < this.size; i++) {
      const slot = this.hSlot[i]!;
      out.push({ time: this.hTime[i]!, seq: this.seq[slot]!, cpu: this.cpu[slot]!, kind: this.kind[slot]!, payload: this.payload[slot] });
    }
    return out.sort((a, b) => a.time - b.time || a.seq - b.seq);
  }

  save(): EventQueueState {
    return { nextSeq: this.nextSeq, events: this.list() };
  }

  load(state: EventQueueState): void {
    this.size = 0;
    this.slotCount = 0;
    this.freeCount = 0;
    this.kind = [];
    this.payload = [];
    for (const e of state.events) this.insert(e.time, e.seq, e.cpu, e.kind, e.payload);
    this.nextSeq = state.nextSeq;
  }

  private insert(time: Cycles, seq: number, cpu: CpuId, kind: string, payload: unknown): void {
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else {
      slot = this.slotCount++;
      if (slot === this.cpu.length) {
        this.cpu = grow(this.cpu);
        this.seq = grow(this.seq);
      }
    }
    this.cpu[slot] = cpu;
    this.seq[slot] = seq;
    this.kind[slot] = kind;
    this.payload[slot] = payload;
    if (this.size === this.hTime.length) {
      this.hTime = grow(this.hTime);
      this.hSlot = grow(this.hSlot);
    }
    // Sift up: move parents down until the new key's place is found.
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const seqOf = this.seq;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = hTime[parent]!;
      if (pt < time || (pt === time && seqOf[hSlot[parent]!]! < seq)) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[parent]!;
      i = parent;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }

  /** Place (time, slot) — the former last node — starting from the root. */
  private siftDown(time: Cycles, slot: number): void {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const seqOf = this.seq;
    const n = this.size;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let child = first;
      let ct = hTime[first]!;
      const end = first + 4 < n ? first + 4 : n;
      for (let c = first + 1; c < end; c++) {
        const rt = hTime[c]!;
        // Sequence numbers are looked up only on a tie of times, which is rare.
        if (rt < ct || (rt === ct && seqOf[hSlot[c]!]! < seqOf[hSlot[child]!]!)) {
          child = c;
          ct = rt;
        }
      }
      if (time < ct || (time === ct && seqOf[slot]! < seqOf[hSlot[child]!]!)) break;
      hTime[i] = ct;
      hSlot[i] = hSlot[child]!;
      i = child;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}
