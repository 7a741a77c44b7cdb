/**
 * Physical CPUs, with just enough TLB state to charge shootdowns honestly: each CPU remembers which
 * address spaces it has run in since they were last flushed there, i.e. which spaces' translations it
 * may still cache. Unmapping memory of a space must flush it on every such CPU: locally with INVLPG,
 * remotely with an IPI whose acknowledgement the initiator waits for.
 */
import type { CpuId } from "./units.js";

export interface CpuState {
  id: CpuId;
  current: string | undefined;
  cached: string[];
}

export class Cpu {
  current: string | undefined;
  readonly cached = new Set<string>();
  /**
   * The space the CPU ran in before `current`, while it is still in `cached` (undefined once flushed
   * there): a call and its reply switch between two spaces, and this spares each switch a Set.add of
   * a space the set already holds. Host-side only; save() and load() never see it.
   */
  private previous: string | undefined;

  constructor(readonly id: CpuId) {}

  /** The CPU starts executing in an address space: from now on it may cache its translations. */
  enter(space: string): void {
    const was = this.current;
    if (was === space) return;
    if (space !== this.previous) this.cached.add(space);
    this.previous = was; // `was` is in `cached`: the space the CPU runs in is never removed from it
    this.current = space;
  }

  mayCache(space: string): boolean {
    return this.cached.has(space);
  }

  /** The space's entries were flushed here; the space stays cached only if the CPU still runs in it. */
  flushed(space: string): void {
    if (this.current === space) return;
    this.cached.delete(space);
    if (this.previous === space) this.previous = undefined;
  }

  /**
   * The space was destroyed and its name is never used again: nothing will ask whether this CPU
   * caches it, so remembering it would only grow the set with every space ever made.
   */
  forget(space: string): void {
    this.cached.delete(space);
    if (this.current === space) this.current = undefined;
  }

  save(): CpuState {
    return { id: this.id, current: this.current, cached: Array.from(this.cached) };
  }

  load(s: CpuState): void {
    this.current = s.current;
    this.previous = undefined;
    this.cached.clear();
    for (const x of s.cached) this.cached.add(x);
  }
}
