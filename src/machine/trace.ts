/**
 * The machine's trace: one record per charged operation — when it started, on which CPU, which layer
 * and operation, on whose behalf, how many cycles, which cost primitives it rested on, and its
 * arguments. A bounded ring: once full, the oldest records are overwritten and counted in `dropped`,
 * never lost silently. Columns live in typed arrays with strings interned, so recording is cheap
 * enough to leave on for every operation.
 */
import { Hasher } from "./hash.js";
import type { CpuId, Cycles } from "./units.js";

export interface TraceRecord {
  /** Start of the operation on its CPU's clock. */
  time: Cycles;
  cpu: CpuId;
  layer: string;
  op: string;
  actor: string;
  cycles: Cycles;
  /** Bit i set: primitive i of the cost model (costs/model.ts primitiveNames) contributed. */
  primsLo: number;
  primsHi: number;
  args: Record<string, unknown> | undefined;
}

export interface TraceState {
  capacity: number;
  start: number;
  count: number;
  dropped: number;
  total: number;
  strings: string[];
  time: Float64Array;
  cycles: Float64Array;
  cpu: Uint16Array;
  layer: Uint32Array;
  op: Uint32Array;
  actor: Uint32Array;
  primsLo: Uint32Array;
  primsHi: Uint32Array;
  args: (Record<string, unknown> | undefined)[];
}

export const DEFAULT_TRACE_CAPACITY = 1 << 17;

/** Interned strings kept at least before the unused ones are dropped (Trace.forgetUnusedStrings). */
const MIN_STRINGS_TO_COMPACT = 1 << 10;

/**
 * The ids of the two strings a column saw last. Callers repeat the same strings, often alternating
 * two of them (call and reply, caller and callee), so most records skip the intern map.
 */
class RecentIds {
  private a: string | undefined;
  private aId = 0;
  private b: string | undefined;
  private bId = 0;

  constructor(private readonly intern: (s: string) => number) {}

  id(s: string): number {
    if (s === this.a) return this.aId;
    if (s === this.b) {
      const id = this.bId;
      this.b = this.a;
      this.bId = this.aId;
      this.a = s;
      this.aId = id;
      return id;
    }
    this.b = this.a;
    this.bId = this.aId;
    this.a = s;
    this.aId = this.intern(s);
    return this.aId;
  }
}

/**
 * A layer, operation and actor that a hot path records again and again (a kernel's IPC: call and
 * reply, per EC). Recorded through Trace.recordTagged, its three strings are interned once per trace
 * instead of being looked up on every record; the records are the same as record() would write.
 */
export class TraceTag {
  /** The trace whose string ids the fields below are, and that trace's generation (see Trace.load). */
  trace: Trace | undefined;
  generation = 0;
  layerId = 0;
  opId = 0;
  actorId = 0;

  constructor(
    readonly layer: string,
    readonly op: string,
    readonly actor: string,
  ) {}
}

export class Trace {
  private capacityValue: number;
  private start = 0;
  private count = 0;
  private droppedValue = 0;
  private totalValue = 0;
  private strings: string[] = [];
  private stringIds = new Map<string, number>();
  /** Strings interned when the unused ones are next dropped. */
  private compactAt = MIN_STRINGS_TO_COMPACT;
  private time!: Float64Array;
  private cyclesCol!: Float64Array;
  private cpuCol!: Uint16Array;
  private layerCol!: Uint32Array;
  private opCol!: Uint32Array;
  private actorCol!: Uint32Array;
  private primsLoCol!: Uint32Array;
  private primsHiCol!: Uint32Array;
  private argsCol: (Record<string, unknown> | undefined)[] = [];
  /** Bumped whenever the string ids change meaning (load replaces the table): TraceTags resolve again. */
  private generation = 0;
  private layerIds = new RecentIds((str) => this.intern(str));
  private opIds = new RecentIds((str) => this.intern(str));
  private actorIds = new RecentIds((str) => this.intern(str));

  constructor(capacity: number = DEFAULT_TRACE_CAPACITY) {
    this.capacityValue = capacity;
    this.allocate(capacity);
  }

  get capacity(): number {
    return this.capacityValue;
  }
  /** Records currently held. */
  get size(): number {
    return this.count;
  }
  /** Records overwritten because the ring was full. */
  get dropped(): number {
    return this.droppedValue;
  }
  /** Records ever written. */
  get total(): number {
    return this.totalValue;
  }

  record(
    time: Cycles,
    cpu: CpuId,
    layer: string,
    op: string,
    actor: string,
    cycles: Cycles,
    primsLo: number,
    primsHi: number,
    args?: Record<string, unknown>,
  ): void {
    const i = this.slot();
    if (i < 0) return;
    this.write(i, time, cpu, this.layerIds.id(layer), this.opIds.id(op), this.actorIds.id(actor), cycles, primsLo, primsHi, args);
  }

  /**
   * record(), with the layer, operation and actor of a tag. A tag interns its strings at its first
   * record in this trace, in record()'s order (layer, op, actor), so the string table grows exactly
   * as it would through record().
   */
  recordTagged(time: Cycles, cpu: CpuId, tag: TraceTag, cycles: Cycles, primsLo: number, primsHi: number, args?: Record<string, unknown>): void {
    const i = this.slot();
    if (i < 0) return;
    if (tag.trace !== this || tag.generation !== this.generation) {
      tag.layerId = this.intern(tag.layer);
      tag.opId = this.intern(tag.op);
      tag.actorId = this.intern(tag.actor);
      tag.trace = this;
      tag.generation = this.generation;
    }
    this.write(i, time, cpu, tag.layerId, tag.opId, tag.actorId, cycles, primsLo, primsHi, args);
  }

  /** The row the next record goes to (the oldest one once full), or -1 when the capacity is 0: then it is only counted. */
  private slot(): number {
    const cap = this.capacityValue;
    this.totalValue++;
    if (cap === 0) {
      this.droppedValue++;
      return -1;
    }
    let i: number;
    if (this.count < cap) {
      i = this.start + this.count;
      if (i >= cap) i -= cap;
      this.count++;
    } else {
      i = this.start;
      this.start = i + 1 === cap ? 0 : i + 1;
      this.droppedValue++;
    }
    return i;
  }

  private write(i: number, time: Cycles, cpu: CpuId, layer: number, op: number, actor: number, cycles: Cycles, primsLo: number, primsHi: number, args: Record<string, unknown> | undefined): void {
    this.time[i] = time;
    this.cyclesCol[i] = cycles;
    this.cpuCol[i] = cpu;
    this.layerCol[i] = layer;
    this.opCol[i] = op;
    this.actorCol[i] = actor;
    this.primsLoCol[i] = primsLo;
    this.primsHiCol[i] = primsHi;
    this.argsCol[i] = args;
    if (this.strings.length >= this.compactAt) this.forgetUnusedStrings();
  }

  /** The k-th held record, oldest first. */
  at(k: number): TraceRecord {
    if (k < 0 || k >= this.count) throw new RangeError(`trace record ${k} out of range 0..${this.count - 1}`);
    let i = this.start + k;
    if (i >= this.capacityValue) i -= this.capacityValue;
    return {
      time: this.time[i]!,
      cpu: this.cpuCol[i]!,
      layer: this.strings[this.layerCol[i]!]!,
      op: this.strings[this.opCol[i]!]!,
      actor: this.strings[this.actorCol[i]!]!,
      cycles: this.cyclesCol[i]!,
      primsLo: this.primsLoCol[i]!,
      primsHi: this.primsHiCol[i]!,
      args: this.argsCol[i],
    };
  }

  *[Symbol.iterator](): IterableIterator<TraceRecord> {
    for (let k = 0; k < this.count; k++) yield this.at(k);
  }

  records(filter?: { layer?: string; op?: string; actor?: string; cpu?: CpuId }): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (const r of this) {
      if (filter?.layer !== undefined && r.layer !== filter.layer) continue;
      if (filter?.op !== undefined && r.op !== filter.op) continue;
      if (filter?.actor !== undefined && r.actor !== filter.actor) continue;
      if (filter?.cpu !== undefined && r.cpu !== filter.cpu) continue;
      out.push(r);
    }
    return out;
  }

  /** Forget every record (the counters of dropped and total records go back to zero too). */
  clear(): void {
    this.start = 0;
    this.count = 0;
    this.droppedValue = 0;
    this.totalValue = 0;
    this.argsCol = new Array(this.capacityValue);
  }

  /** Change the capacity; the newest records that fit are kept, the rest counted as dropped. */
  resize(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`trace capacity must be a whole number ≥ 0, got ${capacity}`);
    const kept = Array.from(this).slice(Math.max(0, this.count - capacity));
    const lost = this.count - kept.length;
    const dropped = this.droppedValue + lost;
    const total = this.totalValue;
    this.capacityValue = capacity;
    this.allocate(capacity);
    this.start = 0;
    this.count = 0;
    for (const r of kept) this.record(r.time, r.cpu, r.layer, r.op, r.actor, r.cycles, r.primsLo, r.primsHi, r.args);
    this.droppedValue = dropped;
    this.totalValue = total;
  }

  /** A hash of every held record and the counters: equal traces hash equal. */
  hash(): string {
    const h = new Hasher();
    h.number(this.droppedValue);
    h.number(this.totalValue);
    for (const r of this) {
      h.number(r.time);
      h.number(r.cpu);
      h.string(r.layer);
      h.string(r.op);
      h.string(r.actor);
      h.number(r.cycles);
      h.u32(r.primsLo);
      h.u32(r.primsHi);
      h.value(r.args);
    }
    return h.digest();
  }

  save(): TraceState {
    return {
      capacity: this.capacityValue,
      start: this.start,
      count: this.count,
      dropped: this.droppedValue,
      total: this.totalValue,
      strings: this.strings.slice(),
      time: this.time.slice(),
      cycles: this.cyclesCol.slice(),
      cpu: this.cpuCol.slice(),
      layer: this.layerCol.slice(),
      op: this.opCol.slice(),
      actor: this.actorCol.slice(),
      primsLo: this.primsLoCol.slice(),
      primsHi: this.primsHiCol.slice(),
      args: this.argsCol.slice(),
    };
  }

  load(s: TraceState): void {
    this.capacityValue = s.capacity;
    this.start = s.start;
    this.count = s.count;
    this.droppedValue = s.dropped;
    this.totalValue = s.total;
    this.setStrings(s.strings.slice());
    this.time = s.time.slice();
    this.cyclesCol = s.cycles.slice();
    this.cpuCol = s.cpu.slice();
    this.layerCol = s.layer.slice();
    this.opCol = s.op.slice();
    this.actorCol = s.actor.slice();
    this.primsLoCol = s.primsLo.slice();
    this.primsHiCol = s.primsHi.slice();
    this.argsCol = s.args.slice();
  }

  /** Take `strings` as the interned strings: their ids are their indexes, and the recent ids are stale. */
  private setStrings(strings: string[]): void {
    this.strings = strings;
    this.stringIds = new Map(strings.map((str, i) => [str, i]));
    this.generation++; // TraceTags resolve their ids again
    this.layerIds = new RecentIds((str) => this.intern(str));
    this.opIds = new RecentIds((str) => this.intern(str));
    this.actorIds = new RecentIds((str) => this.intern(str));
    this.compactAt = Math.max(MIN_STRINGS_TO_COMPACT, 2 * strings.length);
  }

  /**
   * Drop the interned strings no held record uses, and renumber the rest. Actors are named after
   * objects that come and go for ever with ids never reused (ec812, nova:pd806), so without this the
   * table would keep a string for every object ever traced, long after the ring dropped its records.
   * Runs between two records, once the table has doubled since the last time (and holds at least
   * MIN_STRINGS_TO_COMPACT): one pass over the ring per 512 new strings or more. Ids are internal:
   * records and hashes give the strings themselves.
   */
  private forgetUnusedStrings(): void {
    const renumbered = new Int32Array(this.strings.length).fill(-1);
    const kept: string[] = [];
    const columns = [this.layerCol, this.opCol, this.actorCol];
    for (let k = 0, i = this.start; k < this.count; k++, i = i + 1 === this.capacityValue ? 0 : i + 1) {
      for (const col of columns) {
        const id = col[i]!;
        if (renumbered[id] === -1) {
          renumbered[id] = kept.length;
          kept.push(this.strings[id]!);
        }
        col[i] = renumbered[id]!;
      }
    }
    this.setStrings(kept);
  }

  private intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  private allocate(capacity: number): void {
    this.time = new Float64Array(capacity);
    this.cyclesCol = new Float64Array(capacity);
    this.cpuCol = new Uint16Array(capacity);
    this.layerCol = new Uint32Array(capacity);
    this.opCol = new Uint32Array(capacity);
    this.actorCol = new Uint32Array(capacity);
    this.primsLoCol = new Uint32Array(capacity);
    this.primsHiCol = new Uint32Array(capacity);
    this.argsCol = new Array(capacity);
  }
}
