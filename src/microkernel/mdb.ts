/**
 * Mapping database (MDB): every capability range a PD holds is a node, linked to the node it was
 * derived from, so that revoke can find everything delegated from it.
 * NOVA interface specification, June 2014, §3.5–§3.6; src/mdb.cpp, include/mdb.hpp.
 *
 * NOVA keeps the derivation tree as a depth-annotated pre-order list. We keep the same tree as
 * parent / first-child / sibling links, which gives the same walks (a subtree in pre-order, unlink
 * deepest first) in linear time. Nodes live in typed arrays (struct of arrays) so that 10^6
 * capabilities stay small and a snapshot is a handful of array copies.
 */
import { invariant } from "../machine/index.js";

export interface MdbState {
  count: number;
  freeHead: number;
  live: number;
  space: Int32Array;
  type: Uint8Array;
  attr: Uint8Array;
  order: Uint8Array;
  base: Float64Array;
  phys: Float64Array;
  parent: Int32Array;
  child: Int32Array;
  next: Int32Array;
  prev: Int32Array;
}

const NIL = -1;

export class Mdb {
  count = 0;
  freeHead = NIL;
  live = 0;
  /** PD id whose space holds the node (0 = the kernel PD). */
  space: Int32Array = new Int32Array(16);
  /** CrdType; 0 marks a free slot. */
  type: Uint8Array = new Uint8Array(16);
  /** Permission mask (5 bits). */
  attr: Uint8Array = new Uint8Array(16);
  order: Uint8Array = new Uint8Array(16);
  /** First selector / page / port of the range in the holder's space. */
  base: Float64Array = new Float64Array(16);
  /** What the range refers to: object id (OBJ), first frame (MEM), first port (PIO). */
  phys: Float64Array = new Float64Array(16);
  parent: Int32Array = new Int32Array(16).fill(NIL);
  child: Int32Array = new Int32Array(16).fill(NIL);
  next: Int32Array = new Int32Array(16).fill(NIL);
  prev: Int32Array = new Int32Array(16).fill(NIL);

  /** A new node, child of `parent` (NIL for a root node). */
  insert(space: number, type: number, attr: number, order: number, base: number, phys: number, parent: number): number {
    let n = this.freeHead;
    if (n !== NIL) this.freeHead = this.next[n]!;
    else {
      if (this.count === this.type.length) this.grow();
      n = this.count++;
    }
    this.live++;
    this.space[n] = space;
    this.type[n] = type;
    this.attr[n] = attr;
    this.order[n] = order;
    this.base[n] = base;
    this.phys[n] = phys;
    this.parent[n] = parent;
    this.child[n] = NIL;
    this.prev[n] = NIL;
    if (parent !== NIL) {
      const first = this.child[parent]!;
      this.next[n] = first;
      if (first !== NIL) this.prev[first] = n;
      this.child[parent] = n;
    } else this.next[n] = NIL;
    return n;
  }

  /** Unlink a node that has no children and free its slot. */
  remove(n: number): void {
    invariant(this.type[n] !== 0, `MDB node ${n} is already free`);
    invariant(this.child[n] === NIL, `MDB node ${n} still has children`);
    const p = this.parent[n]!;
    const prev = this.prev[n]!;
    const next = this.next[n]!;
    if (prev !== NIL) this.next[prev] = next;
    else if (p !== NIL) this.child[p] = next;
    if (next !== NIL) this.prev[next] = prev;
    this.type[n] = 0;
    this.attr[n] = 0;
    this.parent[n] = NIL;
    this.prev[n] = NIL;
    this.next[n] = this.freeHead;
    this.freeHead = n;
    this.live--;
  }

  /**
   * Descendants of `n` (not `n` itself), every node after its parent; iterate in reverse to visit
   * children before parents. Iterative: derivation chains may be 10^5 deep.
   */
  descendants(n: number, out: number[] = []): number[] {
    const stack = [n];
    while (stack.length > 0) {
      const x = stack.pop()!;
      for (let c = this.child[x]!; c !== NIL; c = this.next[c]!) {
        out.push(c);
        stack.push(c);
      }
    }
    return out;
  }

  depth(n: number): number {
    let d = 0;
    for (let p = this.parent[n]!; p !== NIL; p = this.parent[p]!) d++;
    return d;
  }

  isFree(n: number): boolean {
    return n < 0 || n >= this.count || this.type[n] === 0;
  }

  private grow(): void {
    const cap = this.type.length * 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(a: T, fill?: number): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      if (fill !== undefined) b.fill(fill, a.length);
      return b;
    };
    this.space = g(this.space);
    this.type = g(this.type);
    this.attr = g(this.attr);
    this.order = g(this.order);
    this.base = g(this.base);
    this.phys = g(this.phys);
    this.parent = g(this.parent, NIL);
    this.child = g(this.child, NIL);
    this.next = g(this.next, NIL);
    this.prev = g(this.prev, NIL);
  }

  save(): MdbState {
    const c = this.count;
    return {
      count: c,
      freeHead: this.freeHead,
      live: this.live,
      space: this.space.slice(0, c),
      type: this.type.slice(0, c),
      attr: this.attr.slice(0, c),
      order: this.order.slice(0, c),
      base: this.base.slice(0, c),
      phys: this.phys.slice(0, c),
      parent: this.parent.slice(0, c),
      child: this.child.slice(0, c),
      next: this.next.slice(0, c),
      prev: this.prev.slice(0, c),
    };
  }

  load(s: MdbState): void {
    const cap = Math.max(16, s.count);
    const fit = <T extends Int32Array | Uint8Array | Float64Array>(ctor: new (n: number) => T, a: T, fill?: number): T => {
      const b = new ctor(cap);
      if (fill !== undefined) b.fill(fill);
      b.set(a);
      return b;
    };
    this.count = s.count;
    this.freeHead = s.freeHead;
    this.live = s.live;
    this.space = fit(Int32Array, s.space);
    this.type = fit(Uint8Array, s.type);
    this.attr = fit(Uint8Array, s.attr);
    this.order = fit(Uint8Array, s.order);
    this.base = fit(Float64Array, s.base);
    this.phys = fit(Float64Array, s.phys);
    this.parent = fit(Int32Array, s.parent, NIL);
    this.child = fit(Int32Array, s.child, NIL);
    this.next = fit(Int32Array, s.next, NIL);
    this.prev = fit(Int32Array, s.prev, NIL);
  }
}

export { NIL };
