/**
 * Discrete-event queue: events fire in order of time; events at the same time fire in the order they
 * were scheduled (a global sequence number), so a run never depends on the queue's layout. Events are
 * data — a kind, a target CPU and a payload of plain data — never closures, so the queue can be
 * snapshotted and restored exactly. Handlers are registered per kind.
 *
 * A calendar queue (R. Brown, "Calendar queues: a fast O(1) priority queue implementation for the
 * simulation event set problem", CACM 31(10), 1988): time is cut into days of `width` cycles (a
 * power of two), day d lives in bucket d mod nb, each bucket is a list sorted by (time, sequence). The next event is the
 * head of the first bucket, scanning from the current day, whose head falls in the day being looked
 * at. Buckets and width are re-sized as the queue grows and shrinks, so an insert and a pop cost O(1)
 * on average — a binary heap's O(log n) was measured at a third of the throughput the machine needs.
 * Invariant: every pending event's time is ≥ the start of the current day.
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

const MIN_BUCKETS = 16;

export class EventQueue {
  // Slots: one pending event each; `next` links a bucket's sorted list (-1 ends it).
  private time = new Float64Array(MIN_BUCKETS);
  private seq = new Float64Array(MIN_BUCKETS);
  private cpu = new Int32Array(MIN_BUCKETS);
  private next = new Int32Array(MIN_BUCKETS);
  private kind: string[] = [];
  private payload: unknown[] = [];
  private freeSlots = new Int32Array(MIN_BUCKETS);
  private freeCount = 0;
  private slotCount = 0;
  private nextSeq = 0;
  private size = 0;
  // The calendar.
  private head = new Int32Array(MIN_BUCKETS).fill(-1);
  private mask = MIN_BUCKETS - 1;
  private width = 1;
  /** Bucket of the current day, and the end of that day (exclusive). */
  private cur = 0;
  private top = 1;
  /** The earliest event's slot when known, else -1. */
  private minSlot = -1;

  get length(): number {
    return this.size;
  }

  /** Time of the earliest pending event, or Infinity when none is pending. */
  peekTime(): Cycles {
    return this.size === 0 ? Infinity : this.time[this.findMin()]!;
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
    const slot = this.findMin();
    // The earliest event heads the current bucket.
    this.head[this.cur] = this.next[slot]!;
    this.minSlot = -1;
    out.time = this.time[slot]!;
    out.seq = this.seq[slot]!;
    out.cpu = this.cpu[slot]!;
    out.kind = this.kind[slot]!;
    out.payload = this.payload[slot];
    this.payload[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
    this.size--;
    if (this.size < (this.mask + 1) >> 2 && this.mask + 1 > MIN_BUCKETS) this.resize((this.mask + 1) >> 1);
    return true;
  }

  /** Pending events in firing order (a copy; for inspection and snapshots). */
  list(): PendingEvent[] {
    const out: PendingEvent[] = [];
    for (let b = 0; b <= this.mask; b++) {
      for (let s = this.head[b]!; s >= 0; s = this.next[s]!) {
        out.push({ time: this.time[s]!, seq: this.seq[s]!, cpu: this.cpu[s]!, kind: this.kind[s]!, payload: this.payload[s] });
      }
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
    this.head = new Int32Array(MIN_BUCKETS).fill(-1);
    this.mask = MIN_BUCKETS - 1;
    this.width = 1;
    this.cur = 0;
    this.top = 1;
    this.minSlot = -1;
    for (const e of state.events) this.insert(e.time, e.seq, e.cpu, e.kind, e.payload);
    this.nextSeq = state.nextSeq;
  }

  private insert(time: Cycles, seq: number, cpu: CpuId, kind: string, payload: unknown): void {
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else {
      slot = this.slotCount++;
      if (slot === this.time.length) this.growSlots();
    }
    this.time[slot] = time;
    this.seq[slot] = seq;
    this.cpu[slot] = cpu;
    this.kind[slot] = kind;
    this.payload[slot] = payload;
    if (this.size === 0 || time < this.top - this.width) this.startDayAt(time);
    this.link(slot);
    this.size++;
    const m = this.minSlot;
    if (m >= 0 && (time < this.time[m]! || (time === this.time[m]! && seq < this.seq[m]!))) this.minSlot = -1;
    if (this.size > 2 * (this.mask + 1)) this.resize(2 * (this.mask + 1));
  }

  /** Make the day holding `time` the current day. */
  private startDayAt(time: Cycles): void {
    const day = Math.floor(time / this.width);
    this.cur = day & this.mask;
    this.top = (day + 1) * this.width;
    this.minSlot = -1;
  }

  /** Put a slot into its bucket's list, keeping the list sorted by (time, sequence). */
  private link(slot: number): void {
    const time = this.time;
    const next = this.next;
    const t = time[slot]!;
    const b = Math.floor(t / this.width) & this.mask;
    let prev = -1;
    let s = this.head[b]!;
    while (s >= 0) {
      const ts = time[s]!;
      if (ts > t || (ts === t && this.seq[s]! > this.seq[slot]!)) break;
      prev = s;
      s = next[s]!;
    }
    next[slot] = s;
    if (prev < 0) this.head[b] = slot;
    else next[prev] = slot;
  }

  /** The earliest event's slot; moves the current day forward to it. Needs size > 0. */
  private findMin(): number {
    if (this.minSlot >= 0) return this.minSlot;
    const head = this.head;
    const time = this.time;
    let b = this.cur;
    let top = this.top;
    for (let i = 0; i <= this.mask; i++) {
      const s = head[b]!;
      if (s >= 0 && time[s]! < top) {
        this.cur = b;
        this.top = top;
        return (this.minSlot = s);
      }
      b = (b + 1) & this.mask;
      top += this.width;
    }
    // A whole year without an event in its day: jump straight to the earliest head.
    let best = -1;
    for (let k = 0; k <= this.mask; k++) {
      const s = head[k]!;
      if (s >= 0 && (best < 0 || time[s]! < time[best]! || (time[s]! === time[best]! && this.seq[s]! < this.seq[best]!))) best = s;
    }
    this.startDayAt(time[best]!);
    return (this.minSlot = best);
  }

  /** Re-bucket every event into `buckets` buckets whose width fits the events' spacing. */
  private resize(buckets: number): void {
    const slots: number[] = [];
    for (let b = 0; b <= this.mask; b++) for (let s = this.head[b]!; s >= 0; s = this.next[s]!) slots.push(s);
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of slots) {
      const t = this.time[s]!;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    // Brown's rule of thumb: about three times the mean separation of events per day — rounded to a
    // power of two, so that time / width and day * width are exact in floating point and an event
    // can never be filed under a different day than the one the scan looks for it in.
    if (slots.length > 1 && hi > lo) {
      const exponent = Math.round(Math.log2((3 * (hi - lo)) / slots.length));
      this.width = 2 ** Math.min(40, Math.max(-20, exponent));
    }
    this.head = new Int32Array(buckets).fill(-1);
    this.mask = buckets - 1;
    for (const s of slots) this.link(s);
    if (slots.length > 0) this.startDayAt(lo);
  }

  private growSlots(): void {
    const n = this.time.length * 2;
    this.time = grow(this.time, n);
    this.seq = grow(this.seq, n);
    this.cpu = grow(this.cpu, n);
    this.next = grow(this.next, n);
    this.freeSlots = grow(this.freeSlots, n);
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const bigger = new (a.constructor as new (n: number) => T)(n);
  bigger.set(a);
  return bigger;
}
