/**
 * Discrete-event queue: events fire in order of time; events at the same time fire in the order they
 * were scheduled (a global sequence number), so a run never depends on heap layout or insertion
 * accidents. Events are data — a kind, a target CPU and a payload of plain data — never closures,
 * so the queue can be snapshotted and restored exactly. Handlers are registered per kind.
 *
 * A binary heap over slot indices with the keys in typed arrays: O(log n) insert and pop, and no
 * object allocation per event beyond its payload.
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

export class EventQueue {
  private heap = new Int32Array(64);
  private size = 0;
  private time = new Float64Array(64);
  private seq = new Float64Array(64);
  private cpu = new Int32Array(64);
  private kind: string[] = [];
  private payload: unknown[] = [];
  private freeSlots: number[] = [];
  private slotCount = 0;
  private nextSeq = 0;

  get length(): number {
    return this.size;
  }

  /** Time of the earliest pending event, or Infinity when none is pending. */
  peekTime(): Cycles {
    return this.size === 0 ? Infinity : this.time[this.heap[0]!]!;
  }

  peekCpu(): CpuId {
    return this.cpu[this.heap[0]!]!;
  }

  push(time: Cycles, cpu: CpuId, kind: string, payload: unknown): void {
    const slot = this.allocSlot();
    this.time[slot] = time;
    this.seq[slot] = this.nextSeq++;
    this.cpu[slot] = cpu;
    this.kind[slot] = kind;
    this.payload[slot] = payload;
    if (this.size === this.heap.length) this.heap = grow(this.heap);
    this.heap[this.size] = slot;
    this.siftUp(this.size++);
  }

  /** Remove the earliest event and return it. */
  pop(): PendingEvent | undefined {
    if (this.size === 0) return undefined;
    const slot = this.heap[0]!;
    const event: PendingEvent = {
      time: this.time[slot]!,
      seq: this.seq[slot]!,
      cpu: this.cpu[slot]!,
      kind: this.kind[slot]!,
      payload: this.payload[slot],
    };
    this.removeTop();
    return event;
  }

  /** Pop without building an event record; the caller reads the fields first through peek*. */
  popInto(out: PendingEvent): boolean {
    if (this.size === 0) return false;
    const slot = this.heap[0]!;
    out.time = this.time[slot]!;
    out.seq = this.seq[slot]!;
    out.cpu = this.cpu[slot]!;
    out.kind = this.kind[slot]!;
    out.payload = this.payload[slot];
    this.removeTop();
    return true;
  }

  /** Pending events in firing order (a copy; for inspection and snapshots). */
  list(): PendingEvent[] {
    const slots = Array.from(this.heap.subarray(0, this.size));
    slots.sort((a, b) => this.before(a, b) ? -1 : 1);
    return slots.map((s) => ({ time: this.time[s]!, seq: this.seq[s]!, cpu: this.cpu[s]!, kind: this.kind[s]!, payload: this.payload[s] }));
  }

  save(): EventQueueState {
    return { nextSeq: this.nextSeq, events: this.list() };
  }

  load(state: EventQueueState): void {
    this.size = 0;
    this.slotCount = 0;
    this.freeSlots = [];
    this.kind = [];
    this.payload = [];
    for (const e of state.events) {
      const slot = this.allocSlot();
      this.time[slot] = e.time;
      this.seq[slot] = e.seq;
      this.cpu[slot] = e.cpu;
      this.kind[slot] = e.kind;
      this.payload[slot] = e.payload;
      if (this.size === this.heap.length) this.heap = grow(this.heap);
      this.heap[this.size] = slot;
      this.siftUp(this.size++);
    }
    this.nextSeq = state.nextSeq;
  }

  private removeTop(): void {
    const slot = this.heap[0]!;
    this.payload[slot] = undefined;
    this.freeSlots.push(slot);
    this.size--;
    if (this.size > 0) {
      this.heap[0] = this.heap[this.size]!;
      this.siftDown(0);
    }
  }

  private allocSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.slotCount++;
    if (slot === this.time.length) {
      this.time = grow(this.time);
      this.seq = grow(this.seq);
      this.cpu = grow(this.cpu);
    }
    return slot;
  }

  private before(a: number, b: number): boolean {
    const ta = this.time[a]!;
    const tb = this.time[b]!;
    return ta < tb || (ta === tb && this.seq[a]! < this.seq[b]!);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const slot = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(slot, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = slot;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const slot = heap[i]!;
    const n = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.before(heap[child + 1]!, heap[child]!)) child++;
      if (!this.before(heap[child]!, slot)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = slot;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}
