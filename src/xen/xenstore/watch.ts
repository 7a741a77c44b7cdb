/**
 * Watches: registration, and the index that finds the watches an event on a path matches.
 * Source: tools/xenstored/watch.c @RELEASE-4.22.0 (`is_child`, `fire_watches`, `do_watch`);
 * docs/misc/xenstore.txt "Watches" (reference §4.5).
 *
 * C xenstored scans every watch of every connection per event. Here watches are kept in a map
 * keyed by their absolute path, and an event on `/a/b/c` looks up only `/a/b/c`, `/a/b`, `/a`
 * and `/`: the cost is O(path depth + matching watches), whatever the number of watches.
 */
import type { Connection } from "./connection.js";
import { isChild, selfAndAncestors } from "./path.js";

export interface Watch {
  readonly conn: Connection;
  /** Absolute watched path (or @special name). */
  readonly node: string;
  readonly token: string;
  /** -1: no depth limit. */
  readonly depth: number;
  /** Chars to strip from event paths: the `/local/domain/<id>/` of a relative watch. */
  readonly prefixLen: number;
  /** Creation order, which is the order of the owning connection's watch list. */
  readonly seq: number;
}

/**
 * watch.c `enum watch_match`: how an event's path is compared with a watch's path.
 * subtree: the event is at or below the watch (within its depth) — normal changes;
 * exact: the event is the watched node — nodes below a removed subtree's root;
 * depth / nodepth: @introduceDomain/@releaseDomain with and without the `/<domid>` suffix.
 */
export type WatchMatch = "exact" | "subtree" | "depth" | "nodepth";

const NONE: readonly Watch[] = [];

export class WatchIndex {
  private readonly byPath = new Map<string, Watch[]>();
  private seq = 0;

  nextSeq(): number {
    return this.seq++;
  }

  add(w: Watch): void {
    const list = this.byPath.get(w.node);
    if (list) list.push(w);
    else this.byPath.set(w.node, [w]);
  }

  remove(w: Watch): void {
    const list = this.byPath.get(w.node);
    if (!list) return;
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byPath.delete(w.node);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byPath.values()) n += l.length;
    return n;
  }

  /**
   * The watches an event on `name` fires, in watch creation order (watch.c `fire_watches`). The
   * result is shared and empty when nothing matches: most writes fire no watch, so they allocate nothing.
   */
  match(name: string, match: WatchMatch): readonly Watch[] {
    if (this.byPath.size === 0) return NONE;
    const out: Watch[] = [];
    const exact = this.byPath.get(name);
    if (match === "exact" || match === "nodepth") {
      if (exact) for (const w of exact) if (match === "exact" || w.depth < 0) out.push(w);
      return out;
    }
    for (const anc of selfAndAncestors(name)) {
      const list = this.byPath.get(anc);
      if (!list) continue;
      for (const w of list) {
        if (match === "subtree" ? isChild(name, w.node, w.depth) : anc === name || (w.depth > 0 && isChild(name, w.node, w.depth))) {
          out.push(w);
        }
      }
    }
    if (out.length === 0) return NONE;
    if (out.length > 1) out.sort((a, b) => a.seq - b.seq);
    return out;
  }
}
