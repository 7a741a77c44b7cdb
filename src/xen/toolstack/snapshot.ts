/**
 * The snapshot layer of the world above the hypervisor ("xen.world"): XenStore (xenstored's nodes,
 * connections, watches, transactions, quotas), the toolstack (managed domains, files, disks,
 * timeline), the kernels' allocators and XenStore clients, and every split-driver end.
 *
 * save() returns plain data: one named record per object reachable from the world's root, in
 * traversal order, with references between them as { ref: id }. Objects keep their identity
 * across restores — the layer's registry maps ids to the live objects — because the world is
 * wired with closures (watch callbacks, event-channel handlers) that data cannot carry. load()
 * therefore puts every recorded object's fields, array items, map and set entries and bytes back
 * in place; objects created after the snapshot simply become unreachable again, and objects
 * dropped after it are revived by the registry. Pages of machine memory held as live views are
 * stored as their frame number and re-fetched on load (the memory layer has replaced its arrays).
 *
 * Boundaries: the Xen handle, its hypervisor and the machine are other layers' state and are held
 * by reference only; so are functions, frozen objects and errors.
 * Deviation: a snapshot restores into the machine (and process) that took it, not into a copy.
 */
import { InvariantError, UsageError, type Machine } from "../../machine/index.js";
import { frameOfBuffer, liveView } from "./page-views.js";

type Ref = { ref: number };
type Value = number | string | boolean | bigint | null | undefined | Ref;

type WorldRecord =
  | { kind: "object"; id: number; fields: Record<string, Value> }
  | { kind: "array"; id: number; items: Value[] }
  | { kind: "map"; id: number; entries: { key: Value; value: Value }[] }
  | { kind: "set"; id: number; items: Value[] }
  | { kind: "bytes"; id: number; data: Uint8Array }
  | { kind: "page"; id: number; frame: number; byteOffset: number; byteLength: number; dataView: boolean }
  | { kind: "opaque"; id: number };

export interface WorldSnapshot {
  root: number;
  objects: WorldRecord[];
}

type Obj = object;

export class WorldSnapshotLayer {
  private readonly ids = new Map<Obj, number>();
  private readonly objects = new Map<number, Obj>();
  private nextId = 1;

  constructor(
    private readonly m: Machine,
    /** Held by reference only: other layers' state, never walked. */
    private readonly boundaries: readonly Obj[],
  ) {}

  private idOf(o: Obj): number {
    let id = this.ids.get(o);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(o, id);
      this.objects.set(id, o);
    }
    return id;
  }

  private opaque(o: Obj): boolean {
    return typeof o === "function" || this.boundaries.includes(o) || o instanceof Error || o instanceof WeakMap || o instanceof WeakSet
      || o instanceof Promise || Object.isFrozen(o);
  }

  save(root: Obj): WorldSnapshot {
    const out: WorldRecord[] = [];
    const seen = new Set<Obj>();
    const todo: Obj[] = [root];
    const val = (v: unknown): Value => {
      if (v === null || v === undefined || typeof v === "number" || typeof v === "string" || typeof v === "boolean" || typeof v === "bigint") return v;
      if (typeof v === "symbol") throw new InvariantError("a symbol in the Xen world's state cannot be snapshotted");
      const o = v as Obj;
      if (!seen.has(o)) {
        seen.add(o);
        todo.push(o);
      }
      return { ref: this.idOf(o) };
    };
    seen.add(root);
    for (let i = 0; i < todo.length; i++) {
      const o = todo[i]!;
      const id = this.idOf(o);
      if (this.opaque(o)) out.push({ kind: "opaque", id });
      else if (ArrayBuffer.isView(o)) {
        const frame = frameOfBuffer(o.buffer);
        if (frame !== undefined) out.push({ kind: "page", id, frame, byteOffset: o.byteOffset, byteLength: o.byteLength, dataView: o instanceof DataView });
        else out.push({ kind: "bytes", id, data: new Uint8Array(o.buffer, o.byteOffset, o.byteLength).slice() });
      } else if (Array.isArray(o)) out.push({ kind: "array", id, items: o.map(val) });
      else if (o instanceof Map) out.push({ kind: "map", id, entries: Array.from(o, ([k, v]) => ({ key: val(k), value: val(v) })) });
      else if (o instanceof Set) out.push({ kind: "set", id, items: Array.from(o, val) });
      else {
        const fields: Record<string, Value> = {};
        for (const k of Object.keys(o)) fields[k] = val((o as Record<string, unknown>)[k]);
        out.push({ kind: "object", id, fields });
      }
    }
    return { root: this.idOf(root), objects: out };
  }

  /** Put every recorded object back as it was; returns the root. */
  load(s: WorldSnapshot): Obj {
    const live = new Map<number, Obj>();
    for (const r of s.objects) {
      const o = this.objects.get(r.id);
      if (o === undefined) throw new UsageError("bad-snapshot", "this snapshot of the Xen world was taken on another machine", "restore a snapshot into the machine that took it");
      if (r.kind !== "page") {
        live.set(r.id, o);
        continue;
      }
      const page = liveView(this.m, r.frame);
      const fresh = r.dataView ? new DataView(page.buffer, r.byteOffset, r.byteLength) : r.byteOffset === 0 && r.byteLength === page.byteLength ? page : page.subarray(r.byteOffset, r.byteOffset + r.byteLength);
      this.ids.delete(o);
      this.ids.set(fresh, r.id);
      this.objects.set(r.id, fresh);
      live.set(r.id, fresh);
    }
    const val = (v: Value): unknown => (v !== null && typeof v === "object" ? live.get(v.ref) : v);
    for (const r of s.objects) {
      const o = live.get(r.id)!;
      switch (r.kind) {
        case "object": {
          const rec = o as Record<string, unknown>;
          for (const k of Object.keys(rec)) if (!(k in r.fields)) Reflect.deleteProperty(rec, k);
          for (const [k, v] of Object.entries(r.fields)) rec[k] = val(v);
          break;
        }
        case "array":
          (o as unknown[]).length = 0;
          (o as unknown[]).push(...r.items.map(val));
          break;
        case "map": {
          const mp = o as Map<unknown, unknown>;
          mp.clear();
          for (const e of r.entries) mp.set(val(e.key), val(e.value));
          break;
        }
        case "set": {
          const st = o as Set<unknown>;
          st.clear();
          for (const x of r.items) st.add(val(x));
          break;
        }
        case "bytes": {
          const v = o as ArrayBufferView;
          new Uint8Array(v.buffer, v.byteOffset, v.byteLength).set(r.data);
          break;
        }
        case "page":
        case "opaque":
          break;
      }
    }
    return live.get(s.root)!;
  }
}
