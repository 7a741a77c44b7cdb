/**
 * A host-side cache keyed by kernel object id, for the IPC hot path: as fast as an array indexed by
 * id, but of fixed size. Object ids are never reused (they name objects in traces and state), so an
 * array with a slot per id grows with every object ever made — a Genode child restarted for ever
 * makes seven NOVA objects per life. Here the id's low bits pick the slot and the slot remembers its
 * id: an id whose slot another id took simply misses, and the caller computes its value again.
 */
const SLOTS = 1 << 12;
const MASK = SLOTS - 1;
const EMPTY = -1;

export class IdCache<T> {
  private readonly ids = new Int32Array(SLOTS).fill(EMPTY);
  private readonly values: (T | undefined)[] = new Array<T | undefined>(SLOTS).fill(undefined);

  get(id: number): T | undefined {
    const slot = id & MASK;
    return this.ids[slot] === id ? this.values[slot] : undefined;
  }

  has(id: number): boolean {
    return this.ids[id & MASK] === id;
  }

  set(id: number, value: T): T {
    const slot = id & MASK;
    this.ids[slot] = id;
    this.values[slot] = value;
    return value;
  }

  delete(id: number): void {
    const slot = id & MASK;
    if (this.ids[slot] !== id) return;
    this.ids[slot] = EMPTY;
    this.values[slot] = undefined;
  }

  /** How many ids have a value (for tests of boundedness). */
  get size(): number {
    let n = 0;
    for (const id of this.ids) if (id !== EMPTY) n++;
    return n;
  }

  /** The ids that have a value. */
  *keys(): IterableIterator<number> {
    for (const id of this.ids) if (id !== EMPTY) yield id;
  }

  clear(): void {
    this.ids.fill(EMPTY);
    this.values.fill(undefined);
  }
}
