/**
 * Physical memory: 4 KiB frames, each free or owned by one named owner ("xen:dom1", "nova:pd0x20",
 * …). Contents are sparse: a frame holds bytes only once written; unwritten frames read as zeros.
 * Allocation takes the lowest free frames first, so the same operations give the same frame numbers.
 * A request that cannot be met changes nothing.
 */
import { UsageError } from "./errors.js";
import { PAGE_SIZE, type Bytes, type FrameNumber } from "./units.js";

export interface MemoryState {
  frameCount: number;
  owners: Int32Array;
  ownerNames: string[];
  counts: number[];
  pages: Map<number, Uint8Array>;
  hint: number;
}

/** Below this many owners the table is never compacted: a machine's own few owners cost nothing. */
const MIN_OWNERS_TO_COMPACT = 64;
const isPowerOfTwo = (n: number) => (n & (n - 1)) === 0;

export class OutOfMemory extends UsageError {
  constructor(owner: string, wanted: number, free: number) {
    super("out-of-memory", `${owner} asked for ${wanted} frame(s) of 4 KiB but only ${free} are free`, "give the machine more memory or free frames first");
  }
}

export class Memory {
  readonly frameCount: number;
  /** 0 = free, otherwise 1 + index into ownerNames. */
  private owners: Int32Array;
  private ownerNames: string[] = [];
  private ownerIds = new Map<string, number>();
  private counts: number[] = [];
  private pages = new Map<number, Uint8Array>();
  /** A page of zeros, never written: what a frame that holds no bytes reads as. */
  private readonly zeros = new Uint8Array(PAGE_SIZE);
  private freeCount: number;
  /** No frame below this index is free. */
  private hint = 0;

  constructor(bytes: Bytes) {
    if (bytes % PAGE_SIZE !== 0 || bytes <= 0) {
      throw new UsageError("bad-size", `memory size ${bytes} is not a positive multiple of 4 KiB`);
    }
    this.frameCount = bytes / PAGE_SIZE;
    this.owners = new Int32Array(this.frameCount);
    this.freeCount = this.frameCount;
  }

  get free(): number {
    return this.freeCount;
  }

  /** Allocate `count` frames (lowest first) to `owner`, or undefined (and no change) if too few are free. */
  tryAlloc(owner: string, count = 1): FrameNumber[] | undefined {
    if (!Number.isInteger(count) || count < 0) throw new UsageError("bad-count", `frame count must be a whole number, got ${count}`);
    if (count > this.freeCount) return undefined;
    const id = this.ownerId(owner);
    const frames: FrameNumber[] = [];
    let f = this.hint;
    while (frames.length < count) {
      if (this.owners[f] === 0) {
        this.owners[f] = id + 1;
        frames.push(f);
      }
      f++;
    }
    if (count > 0) this.hint = f;
    this.freeCount -= count;
    this.counts[id]! += count;
    return frames;
  }

  alloc(owner: string, count = 1): FrameNumber[] {
    const frames = this.tryAlloc(owner, count);
    if (frames === undefined) throw new OutOfMemory(owner, count, this.freeCount);
    return frames;
  }

  /** Return frames to the free pool; their contents are forgotten (a new owner reads zeros). */
  release(frames: readonly FrameNumber[], owner?: string): void {
    const seen = new Set<FrameNumber>();
    for (const f of frames) {
      this.check(f);
      if (seen.has(f)) throw new UsageError("double-free", `frame ${f} is listed twice in one release`);
      seen.add(f);
      const id = this.owners[f]! - 1;
      if (id < 0) throw new UsageError("double-free", `frame ${f} is already free`);
      if (owner !== undefined && this.ownerNames[id] !== owner) {
        throw new UsageError("not-owner", `frame ${f} belongs to ${this.ownerNames[id]}, not ${owner}`);
      }
    }
    for (const f of frames) {
      const id = this.owners[f]! - 1;
      this.owners[f] = 0;
      this.counts[id]!--;
      this.pages.delete(f);
      if (f < this.hint) this.hint = f;
    }
    this.freeCount += frames.length;
  }

  /** Hand a frame to another owner, contents unchanged. */
  transfer(frame: FrameNumber, to: string): void {
    const from = this.ownerOf(frame);
    if (from === undefined) throw new UsageError("free-frame", `frame ${frame} is free and cannot be transferred`);
    const id = this.ownerId(to);
    this.counts[this.owners[frame]! - 1]!--;
    this.owners[frame] = id + 1;
    this.counts[id]!++;
  }

  ownerOf(frame: FrameNumber): string | undefined {
    this.check(frame);
    const id = this.owners[frame]! - 1;
    return id < 0 ? undefined : this.ownerNames[id];
  }

  /**
   * Frames held by each owner that holds any, in order of first appearance (an owner that held
   * nothing for a while may since have been forgotten, see ownerId, and then counts as new).
   */
  usage(): Map<string, number> {
    const out = new Map<string, number>();
    this.ownerNames.forEach((name, id) => {
      if (this.counts[id]! > 0) out.set(name, this.counts[id]!);
    });
    return out;
  }

  framesOf(owner: string): FrameNumber[] {
    const id = this.ownerIds.get(owner);
    const out: FrameNumber[] = [];
    if (id === undefined) return out;
    for (let f = 0; f < this.frameCount; f++) if (this.owners[f] === id + 1) out.push(f);
    return out;
  }

  read(frame: FrameNumber, offset: number, length: number): Uint8Array {
    this.checkRange(frame, offset, length);
    const page = this.pages.get(frame);
    return page === undefined ? new Uint8Array(length) : page.slice(offset, offset + length);
  }

  write(frame: FrameNumber, offset: number, bytes: Uint8Array): void {
    this.checkRange(frame, offset, bytes.length);
    if (this.owners[frame] === 0) throw new UsageError("free-frame", `frame ${frame} is free; allocate it before writing`);
    let page = this.pages.get(frame);
    if (page === undefined) {
      if (bytes.every((b) => b === 0)) return;
      page = new Uint8Array(PAGE_SIZE);
      this.pages.set(frame, page);
    }
    page.set(bytes, offset);
  }

  /**
   * The frame's bytes as a live 4 KiB view: writes through it are the frame's contents. For layers
   * that keep hardware-defined structures in guest memory (shared_info, UTCBs, rings) and touch
   * them on hot paths; the view stays valid until the frame is released (or the machine restored).
   */
  view(frame: FrameNumber): Uint8Array {
    this.check(frame);
    if (this.owners[frame] === 0) throw new UsageError("free-frame", `frame ${frame} is free; allocate it before using its bytes`);
    let page = this.pages.get(frame);
    if (page === undefined) {
      page = new Uint8Array(PAGE_SIZE);
      this.pages.set(frame, page);
    }
    return page;
  }

  /** Copy bytes between frames (the caller charges the copy cost). */
  copy(src: FrameNumber, srcOffset: number, dst: FrameNumber, dstOffset: number, length: number): void {
    this.checkRange(src, srcOffset, length);
    // through a view, not read()'s copy: a grant copy per packet would make a buffer of garbage each
    const from = this.pages.get(src);
    if (from !== undefined) this.write(dst, dstOffset, from.subarray(srcOffset, srcOffset + length));
    else this.write(dst, dstOffset, this.zeros.subarray(0, length));
  }

  /** Number of frames that hold written bytes. */
  get touchedFrames(): number {
    return this.pages.size;
  }

  save(): MemoryState {
    return {
      frameCount: this.frameCount,
      owners: this.owners.slice(),
      ownerNames: this.ownerNames.slice(),
      counts: this.counts.slice(),
      pages: new Map(Array.from(this.pages, ([f, p]) => [f, p.slice()])),
      hint: this.hint,
    };
  }

  load(s: MemoryState): void {
    if (s.frameCount !== this.frameCount) throw new UsageError("bad-snapshot", `snapshot has ${s.frameCount} frames, machine has ${this.frameCount}`);
    this.owners = s.owners.slice();
    this.ownerNames = s.ownerNames.slice();
    this.ownerIds = new Map(this.ownerNames.map((n, i) => [n, i]));
    this.counts = s.counts.slice();
    this.pages = new Map(Array.from(s.pages, ([f, p]) => [f, p.slice()]));
    this.hint = s.hint;
    this.freeCount = this.frameCount - this.counts.reduce((a, b) => a + b, 0);
  }

  private ownerId(owner: string): number {
    let id = this.ownerIds.get(owner);
    if (id === undefined) {
      if (this.ownerNames.length >= MIN_OWNERS_TO_COMPACT && isPowerOfTwo(this.ownerNames.length)) this.forgetIdleOwners();
      id = this.ownerNames.length;
      this.ownerNames.push(owner);
      this.ownerIds.set(owner, id);
      this.counts.push(0);
    }
    return id;
  }

  /**
   * Owners come and go for ever (a PD, a domain per restart) and their names are never reused, so
   * an owner holding no frames is forgotten once such owners are at least half of the table: the
   * others are renumbered in order, and every frame relabelled. The table is checked only when it
   * reaches a power of two (at least MIN_OWNERS_TO_COMPACT), so the pass over the frames is rare,
   * and the rule depends on the table alone: a restored machine forgets exactly where the original did.
   * An owner with no frames is invisible (usage skips it, framesOf finds none), so forgetting it
   * changes nothing but the order usage() lists an owner in if it ever comes back.
   */
  private forgetIdleOwners(): void {
    const renumbered = new Int32Array(this.ownerNames.length);
    const names: string[] = [];
    const counts: number[] = [];
    this.ownerNames.forEach((name, id) => {
      if (this.counts[id]! === 0) return;
      renumbered[id] = names.length + 1;
      names.push(name);
      counts.push(this.counts[id]!);
    });
    if (2 * names.length > this.ownerNames.length) return;
    for (let f = 0; f < this.frameCount; f++) if (this.owners[f] !== 0) this.owners[f] = renumbered[this.owners[f]! - 1]!;
    this.ownerNames = names;
    this.counts = counts;
    this.ownerIds = new Map(names.map((n, i) => [n, i]));
  }

  private check(frame: FrameNumber): void {
    if (!Number.isInteger(frame) || frame < 0 || frame >= this.frameCount) {
      throw new UsageError("bad-frame", `frame ${frame} does not exist (the machine has frames 0..${this.frameCount - 1})`);
    }
  }

  private checkRange(frame: FrameNumber, offset: number, length: number): void {
    this.check(frame);
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > PAGE_SIZE) {
      throw new UsageError("bad-range", `bytes ${offset}..${offset + length} are outside a 4 KiB frame`);
    }
  }
}
