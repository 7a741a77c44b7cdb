/**
 * Discrete-event queue: events fire in order of time; events at the same time fire in the order they
 * were scheduled (a global sequence number), so a run never depends on the queue's layout. Events are
 * data — a kind, a target CPU and a payload of plain data — never closures, so the queue can be
 * snapshotted and restored exactly. Handlers are registered per kind.
 *
 * A calendar queue (R. Brown, "Calendar queues: a fast O(1) priority queue implementation for the
 * simulation event set problem", CACM 31(10), 1988): time is cut into days of `width` cycles (a power
 * of two), day d lives in bucket d mod nb. Unlike Brown's sorted buckets, a bucket here is an
 * unsorted list — an insert touches only the bucket's head, which at 10^5 pending events is the one
 * cache miss an insert cannot avoid — and only the current day is kept sorted, in a small array that
 * stays in cache while its events fire. Buckets and width are re-sized as the queue grows and
 * shrinks, so an insert and a pop cost O(1) on average (a binary heap's O(log n) was measured at a
 * third of the throughput the machine needs).
 * Invariant: every event in a bucket has time ≥ `top`, the end of the current day; every event before
 * `top` is in the day array.
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
  // Slots: one pending event each; `next` links a bucket's list (-1 ends it).
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
  private top = 0;
  // The current day's events, sorted by (time, sequence); those before `dayFirst` have fired.
  private day = new Int32Array(MIN_BUCKETS);
  private dayFirst = 0;
  private dayEnd = 0;

  get length(): number {
    return this.size;
  }

  /** Time of the earliest pending event, or Infinity when none is pending. */
  peekTime(): Cycles {
    if (this.size === 0) return Infinity;
    if (this.dayFirst === this.dayEnd) this.nextDay();
    return this.time[this.day[this.dayFirst]!]!;
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
    if (this.dayFirst === this.dayEnd) this.nextDay();
    const slot = this.day[this.dayFirst++]!;
    if (this.dayFirst === this.dayEnd) this.dayFirst = this.dayEnd = 0;
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
    const add = (s: number) => out.push({ time: this.time[s]!, seq: this.seq[s]!, cpu: this.cpu[s]!, kind: this.kind[s]!, payload: this.payload[s] });
    for (let i = this.dayFirst; i < this.dayEnd; i++) add(this.day[i]!);
    for (let b = 0; b <= this.mask; b++) for (let s = this.head[b]!; s >= 0; s = this.next[s]!) add(s);
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
    this.top = 0;
    this.dayFirst = this.dayEnd = 0;
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
    this.size++;
    // Before the end of the current day (possibly before its start: CPUs' clocks differ) → the day.
    if (time < this.top) this.addToDay(slot);
    else this.addToBucket(slot);
    if (this.size > 2 * (this.mask + 1)) this.resize(2 * (this.mask + 1));
  }

  private addToBucket(slot: number): void {
    const b = Math.floor(this.time[slot]! / this.width) & this.mask;
    this.next[slot] = this.head[b]!;
    this.head[b] = slot;
  }

  /** Insert into the sorted day array, searching from its end: new events are usually the latest. */
  private addToDay(slot: number): void {
    if (this.dayEnd === this.day.length) this.growDay();
    const day = this.day;
    let i = this.dayEnd++;
    while (i > this.dayFirst && this.before(slot, day[i - 1]!)) {
      day[i] = day[i - 1]!;
      i--;
    }
    day[i] = slot;
  }

  /** Move the current day forward to the next day with events, and sort those into the day array. */
  private nextDay(): void {
    for (let i = 0; i <= this.mask; i++) {
      this.cur = (this.cur + 1) & this.mask;
      this.top += this.width;
      if (this.pullDay()) return;
    }
    // A whole year without an event in its day: jump straight to the earliest pending event's day.
    let earliest = Infinity;
    for (let b = 0; b <= this.mask; b++) for (let s = this.head[b]!; s >= 0; s = this.next[s]!) earliest = Math.min(earliest, this.time[s]!);
    this.startDayAt(earliest);
    this.pullDay();
  }

  /** Move the current bucket's events that fall before `top` into the day array; whether any did. */
  private pullDay(): boolean {
    let prev = -1;
    let s = this.head[this.cur]!;
    let pulled = false;
    while (s >= 0) {
      const following = this.next[s]!;
      if (this.time[s]! < this.top) {
        if (prev < 0) this.head[this.cur] = following;
        else this.next[prev] = following;
        this.addToDay(s);
        pulled = true;
      } else prev = s;
      s = following;
    }
    return pulled;
  }

  /** Make the day holding `time` the current day (the day array must be empty). */
  private startDayAt(time: Cycles): void {
    const day = Math.floor(time / this.width);
    this.cur = day & this.mask;
    this.top = (day + 1) * this.width;
  }

  private before(a: number, b: number): boolean {
    const ta = this.time[a]!;
    const tb = this.time[b]!;
    return ta < tb || (ta === tb && this.seq[a]! < this.seq[b]!);
  }

  /** Re-bucket the bucketed events into `buckets` buckets whose width fits the events' spacing. */
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
    // About one mean separation of events per day (Brown suggests three for sorted buckets; with
    // unsorted ones fewer events per day measured faster) — rounded to a power of two, so that
    // time / width and day * width are exact in floating point and an event can never be filed
    // under a different day than the one the scan looks for it in.
    if (slots.length > 1 && hi > lo) {
      const exponent = Math.round(Math.log2((hi - lo) / slots.length));
      this.width = 2 ** Math.min(40, Math.max(-20, exponent));
    }
    this.head = new Int32Array(buckets).fill(-1);
    this.mask = buckets - 1;
    // The new current day holds the old day's end, so it ends at or after it: no bucketed event can
    // fall before a day that has already been pulled…
    this.startDayAt(this.top);
    for (const s of slots) this.addToBucket(s);
    // …and the bucketed events that now fall into it join the day array.
    this.pullDay();
  }

  private growSlots(): void {
    const n = this.time.length * 2;
    this.time = grow(this.time, n);
    this.seq = grow(this.seq, n);
    this.cpu = grow(this.cpu, n);
    this.next = grow(this.next, n);
    this.freeSlots = grow(this.freeSlots, n);
  }

  private growDay(): void {
    this.day = grow(this.day, this.day.length * 2);
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const bigger = new (a.constructor as new (n: number) => T)(n);
  bigger.set(a);
  return bigger;
}
