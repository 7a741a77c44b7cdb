/**
 * Machine history in notebooks (issue 9, item 4): every executed cell checkpoints the live machines,
 * `rewind()` undoes the last cell's effect on them, and `lastDiff()` shows, as capDL-like text with
 * +/- lines (reference/peers.md §4.6), what that cell changed in NOVA's capability spaces and in
 * Xen's event channels and grant tables.
 *
 * The kernel never imports the emulator (DESIGN.md, layers), so the two meet on globalThis: the
 * kernel runtime under `Symbol.for("hypernote.kernel")` keeps a set of cell hooks that it calls
 * before and after every execute_request (src/kernel/runtime.ts, CellHook). The first machine this
 * history watches adds one hook to that set. The history itself also lives on globalThis (under
 * `Symbol.for("hypernote.history")`), because a cell may load the package through a second module
 * graph (tslab's require) while the kernel's prelude loaded it as ESM.
 */
import { Machine, UsageError, type MachineSnapshot } from "../machine/index.js";
import type { Nova } from "../microkernel/index.js";
import { Ecs, Gtf, type Xen } from "../xen/index.js";

// ---- what is booted on a machine ---------------------------------------------------------------

const SYSTEMS = Symbol.for("hypernote.history.systems");
const g = globalThis as Record<symbol, unknown>;

/** The running kernel's cell hooks (src/kernel/runtime.ts), if cells run in a hypernote kernel. */
function kernelHooks(): Set<unknown> | undefined {
  const rt = g[Symbol.for("hypernote.kernel")] as { hooks?: Set<unknown> } | undefined;
  return rt?.hooks instanceof Set ? rt.hooks : undefined;
}
const systemsOf = (g[SYSTEMS] ??= new WeakMap<Machine, Map<string, unknown>>()) as WeakMap<Machine, Map<string, unknown>>;

/** Records that `system` ("NOVA", "Xen", "Genode") now runs on `m`, with the handle its boot returned. */
export function noteBooted(m: Machine, system: string, handle: unknown): void {
  let s = systemsOf.get(m);
  if (s === undefined) systemsOf.set(m, (s = new Map()));
  s.set(system, handle);
}

function booted(m: Machine): string[] {
  return [...(systemsOf.get(m)?.keys() ?? [])];
}

// ---- capDL-like text of a machine --------------------------------------------------------------

const ECS_NAME: Record<number, string> = Object.fromEntries(Object.entries(Ecs).map(([k, v]) => [v, k.slice(4).toLowerCase()]));
const hex = (n: number): string => `0x${n.toString(16)}`;

/** Xen's event channels and grant tables as capDL-like lines, one block `xen { … }`. */
export function xenCapdl(xen: Xen): string {
  const out = ["xen {"];
  for (const domid of xen.domids()) {
    const d = xen.state().domains.get(domid)!;
    const e = d.evtchn;
    for (let p = 1; p < e.state.length; p++) {
      const st = e.state[p]!;
      if (st === Ecs.ECS_FREE || st === Ecs.ECS_RESERVED) continue;
      const at = `evtchn dom${domid}:${p}`;
      if (st === Ecs.ECS_INTERDOMAIN) out.push(`  ${at} -> dom${e.remoteDom[p]}:${e.remotePort[p]} interdomain`);
      else if (st === Ecs.ECS_UNBOUND) out.push(`  ${at} unbound (dom${e.remoteDom[p]} may bind)`);
      else if (st === Ecs.ECS_VIRQ) out.push(`  ${at} virq ${e.remotePort[p]} vcpu ${e.notify[p]}`);
      else if (st === Ecs.ECS_PIRQ) out.push(`  ${at} pirq ${e.remotePort[p]}`);
      else out.push(`  ${at} ${ECS_NAME[st] ?? `state ${st}`} vcpu ${e.notify[p]}`);
    }
    const gt = xen.guest(domid).grantTable;
    for (let ref = 0; ref < gt.nrEntries; ref++) {
      const en = gt.entry(ref);
      const type = en.flags & Gtf.GTF_type_mask;
      if (type === Gtf.GTF_invalid) continue;
      const rights = (en.flags & Gtf.GTF_readonly) !== 0 ? "ro" : "rw";
      let line = `  grant dom${domid} ref ${ref}`;
      if (type === Gtf.GTF_accept_transfer) line += ` <- dom${en.domid} transfer`;
      else if (type === Gtf.GTF_transitive) line += ` -> dom${en.domid} via dom${en.trans_domid} ref ${en.gref}`;
      else line += ` -> dom${en.domid} gfn ${hex(en.frame)} ${rights}`;
      if ((en.flags & Gtf.GTF_sub_page) !== 0) line += ` sub-page ${hex(en.page_off)}+${hex(en.length)}`;
      const act = d.gnttab.active.get(ref);
      if (act !== undefined) line += ` (mapped by dom${act.domid}, pin ${hex(act.pin)})`;
      out.push(line);
    }
  }
  out.push("}");
  return out.join("\n");
}

/** The capability state of a machine as capDL-like text: NOVA's `nova.capdl()` and Xen's block. */
export function machineCapdl(m: Machine): string {
  const s = systemsOf.get(m);
  const parts: string[] = [];
  const nova = s?.get("NOVA") as Nova | undefined;
  if (nova !== undefined) parts.push(nova.capdl());
  const xen = s?.get("Xen") as Xen | undefined;
  if (xen !== undefined) parts.push(xenCapdl(xen));
  return parts.join("\n");
}

// ---- line-oriented diff ------------------------------------------------------------------------

/** One changed line: where it sits (enclosing blocks, outermost first) and its text. */
export interface DiffLine {
  sign: "+" | "-";
  path: string[];
  line: string;
}

/** Leaf lines of capDL-like text, each with the blocks (`name {` … `}`) that enclose it. */
function leaves(text: string): { key: string; path: string[]; line: string }[] {
  const stack: string[] = [];
  const out: { key: string; path: string[]; line: string }[] = [];
  for (const raw of text.split("\n")) {
    const t = raw.trim();
    if (t === "") continue;
    if (t.endsWith("{")) stack.push(t.replace(/[\s:=]*\{$/, ""));
    else if (t === "}") stack.pop();
    else out.push({ key: `${stack.join("\u0000")}\u0001${t}`, path: [...stack], line: t });
  }
  return out;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** What changed between two capDL-like texts; shows itself as +/- lines inside their blocks. */
export class CapdlDiff {
  constructor(readonly changes: readonly DiffLine[]) {}

  get added(): string[] {
    return this.changes.filter((c) => c.sign === "+").map((c) => c.line);
  }

  get removed(): string[] {
    return this.changes.filter((c) => c.sign === "-").map((c) => c.line);
  }

  /** The changes under a block, e.g. in("caps") or in("machine #1", "xen"). */
  in(...path: string[]): DiffLine[] {
    return this.changes.filter((c) => c.path.some((_, i) => path.every((p, j) => c.path[i + j] === p)));
  }

  /** Text: each change under its blocks, `+`/`-` in the first column, blocks re-opened as needed. */
  lines(): { sign: " " | "+" | "-"; text: string }[] {
    const out: { sign: " " | "+" | "-"; text: string }[] = [];
    let open: string[] = [];
    for (const c of this.changes) {
      let same = 0;
      while (same < open.length && same < c.path.length && open[same] === c.path[same]) same++;
      for (let i = open.length - 1; i >= same; i--) out.push({ sign: " ", text: `${"  ".repeat(i)}}` });
      for (let i = same; i < c.path.length; i++) out.push({ sign: " ", text: `${"  ".repeat(i)}${c.path[i]} {` });
      open = c.path;
      out.push({ sign: c.sign, text: `${"  ".repeat(c.path.length)}${c.line}` });
    }
    for (let i = open.length - 1; i >= 0; i--) out.push({ sign: " ", text: `${"  ".repeat(i)}}` });
    return out;
  }

  toString(): string {
    return this.changes.length === 0 ? "(no capability changes)" : this.lines().map((l) => `${l.sign} ${l.text}`).join("\n");
  }

  [Symbol.for("Jupyter.display")](): Record<string, string> {
    const colour = { "+": "color:#1a7f37;background:#e6ffec", "-": "color:#cf222e;background:#ffebe9", " ": "color:#57606a" } as const;
    const body = this.changes.length === 0 ? "(no capability changes)" : this.lines().map((l) => `<span style="${colour[l.sign]}">${esc(`${l.sign} ${l.text}`)}</span>`).join("\n");
    return { "text/plain": this.toString(), "text/html": `<pre class="hypernote-capdl-diff">${body}</pre>` };
  }
}

/**
 * Line diff of two capDL-like texts. A line is the same line only under the same blocks, so a cap
 * moving from pd_3 to pd_4 is one removal and one addition. Order: removals as `before` had them,
 * then additions as `after` has them, each group under its blocks; `scope` prefixes every path.
 */
export function capdlDiff(before: string, after: string, scope: readonly string[] = []): CapdlDiff {
  const a = leaves(before);
  const b = leaves(after);
  const count = new Map<string, number>();
  for (const l of a) count.set(l.key, (count.get(l.key) ?? 0) + 1);
  const added: DiffLine[] = [];
  for (const l of b) {
    const n = count.get(l.key) ?? 0;
    if (n > 0) count.set(l.key, n - 1);
    else added.push({ sign: "+", path: [...scope, ...l.path], line: l.line });
  }
  const removed: DiffLine[] = [];
  for (const l of a) {
    const n = count.get(l.key) ?? 0;
    if (n > 0) {
      count.set(l.key, n - 1);
      removed.push({ sign: "-", path: [...scope, ...l.path], line: l.line });
    }
  }
  // group by block (first appearance), removals before additions within a block
  const order = new Map<string, DiffLine[]>();
  for (const c of [...removed, ...added]) {
    const k = c.path.join("\u0000");
    order.set(k, [...(order.get(k) ?? []), c]);
  }
  return new CapdlDiff([...order.values()].flat());
}

// ---- checkpoints and rewind ------------------------------------------------------------------------

/** One machine's state before a cell. */
interface Saved {
  snapshot: MachineSnapshot;
  systems: string[];
  /** Cheap identity of the state, to share the snapshot object when a cell left the machine alone. */
  stamp: string;
  bytes: number;
}

interface Checkpoint {
  cell: number | undefined;
  machines: Map<number, Saved>;
}

export interface HistoryOptions {
  /** Cells kept (default 20). */
  depth?: number;
  /** Bytes of snapshots kept, over all cells and machines (default 256 MiB); the oldest go first. */
  maxBytes?: number;
}

export interface RewindResult {
  /** The cell whose effect was undone (its execution count), when the kernel told us. */
  cell: number | undefined;
  /** Machines put back, by their history id. */
  restored: number[];
  /** Machines created during the undone cell: they had no earlier state, and stay as they are. */
  untouched: number[];
  /** Cells that can still be rewound. */
  remaining: number;
}

/** Rough size of snapshot data: typed arrays by their bytes, other values at a few words each. */
function sizeOf(v: unknown, depth = 0): number {
  if (v === null || typeof v !== "object") return typeof v === "string" ? 2 * v.length + 16 : 8;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (depth > 6) return 64;
  let n = 32;
  if (v instanceof Map) for (const [k, x] of v) n += sizeOf(k, depth + 1) + sizeOf(x, depth + 1);
  else if (Array.isArray(v) || v instanceof Set) for (const x of v) n += sizeOf(x, depth + 1);
  else for (const x of Object.values(v)) n += sizeOf(x, depth + 1);
  return n;
}

/**
 * The checkpoints of the machines this history watches. Snapshots are full machine snapshots
 * (trace ring and clocks included) so that a rewound machine replays exactly; they are bounded by
 * `depth` cells and `maxBytes`, and a machine a cell did not touch shares its earlier snapshot.
 */
export class MachineHistory {
  depth = 20;
  maxBytes = 256 * 1024 * 1024;
  private readonly live = new Map<number, WeakRef<Machine>>();
  private readonly ids = new WeakMap<Machine, number>();
  private nextId = 1;
  private stack: Checkpoint[] = [];
  /** A cell is running and its checkpoint is still on top of the stack. */
  private currentPending = false;
  private beforeText: Map<number, string> | undefined;
  private last: { cell: number | undefined; before: Map<number, string>; after: Map<number, string> } | undefined;
  private readonly hook = {
    before: (cell: { executionCount: number }): void => this.beforeCell(cell.executionCount),
    after: (): void => this.afterCell(),
  };

  constructor(options: HistoryOptions = {}) {
    this.configure(options);
  }

  configure(options: HistoryOptions): void {
    if (options.depth !== undefined) {
      if (!Number.isInteger(options.depth) || options.depth < 1) throw new UsageError("bad-history-depth", `depth must be a whole number ≥ 1, got ${options.depth}`);
      this.depth = options.depth;
    }
    if (options.maxBytes !== undefined) {
      if (!(options.maxBytes > 0)) throw new UsageError("bad-history-bytes", `maxBytes must be > 0, got ${options.maxBytes}`);
      this.maxBytes = options.maxBytes;
    }
    this.trim();
  }

  /** Watches `m` from now on; the first machine also hooks this history into the running kernel, if any. */
  watch(m: Machine): number {
    const known = this.ids.get(m);
    if (known !== undefined) return known;
    const id = this.nextId++;
    this.ids.set(m, id);
    this.live.set(id, new WeakRef(m));
    kernelHooks()?.add(this.hook);
    return id;
  }

  /**
   * Watches `m` if a kernel runs cells, which alone checkpoint it. Outside one (a script, a test,
   * a benchmark) nothing would, and the WeakRef would cost: a WeakRef keeps its machine alive
   * until the current job ends, so a loop creating machines in one job kept every one of them.
   */
  watchInKernel(m: Machine): number | undefined {
    return kernelHooks() === undefined ? undefined : this.watch(m);
  }

  /** The id this history gives `m` (as in "machine #1"), or undefined if it does not watch it. */
  idOf(m: Machine): number | undefined {
    return this.ids.get(m);
  }

  /** Cells that rewind() can still undo. */
  get size(): number {
    return Math.max(0, this.stack.length - (this.currentPending ? 1 : 0));
  }

  /** Bytes of snapshot data held (shared snapshots counted once). */
  get bytes(): number {
    const seen = new Set<MachineSnapshot>();
    let n = 0;
    for (const c of this.stack) {
      for (const s of c.machines.values()) {
        if (seen.has(s.snapshot)) continue;
        seen.add(s.snapshot);
        n += s.bytes;
      }
    }
    return n;
  }

  clear(): void {
    this.stack = [];
    this.currentPending = false;
    this.beforeText = undefined;
    this.last = undefined;
  }

  /** Called by the kernel before each cell: checkpoint every live machine. */
  beforeCell(cell?: number): void {
    const previous = this.stack.at(-1);
    const machines = new Map<number, Saved>();
    for (const [id, m] of this.machines()) {
      const systems = booted(m);
      const stamp = `${m.trace.total}|${m.cpus.map((_, i) => m.now(i)).join(",")}|${systems.join(",")}|${m.stateHash()}`;
      const prev = previous?.machines.get(id);
      if (prev !== undefined && prev.stamp === stamp) machines.set(id, prev);
      else {
        const snapshot = m.snapshot();
        machines.set(id, { snapshot, systems, stamp, bytes: sizeOf(snapshot) });
      }
    }
    this.stack.push({ cell, machines });
    this.currentPending = true;
    this.beforeText = this.texts();
    this.trim();
  }

  /** Called by the kernel after each cell: remember what it changed, for lastDiff(). */
  afterCell(): void {
    if (this.beforeText !== undefined) this.last = { cell: this.stack.at(-1)?.cell, before: this.beforeText, after: this.texts() };
    this.beforeText = undefined;
    this.currentPending = false;
    this.trim();
  }

  /** What the last completed cell changed in the capability spaces, event channels and grant tables. */
  lastDiff(): CapdlDiff {
    if (this.last === undefined) throw new UsageError("no-history", "no cell has run since the first machine was created", "run a cell that changes the machine, then call lastDiff() in the next one");
    const changes: DiffLine[] = [];
    for (const id of new Set([...this.last.before.keys(), ...this.last.after.keys()])) {
      changes.push(...capdlDiff(this.last.before.get(id) ?? "", this.last.after.get(id) ?? "", [`machine #${id}`]).changes);
    }
    return new CapdlDiff(changes);
  }

  /**
   * Puts every watched machine back as it was before the last executed cell. Called inside a cell,
   * that cell's own changes so far go too; called again (in the same or a later cell), it goes one
   * cell further back. Checks everything first: if any machine cannot be put back, none is.
   */
  rewind(): RewindResult {
    const depth = this.currentPending ? 2 : 1;
    const target = this.stack.at(-depth);
    if (target === undefined) {
      throw new UsageError("nothing-to-rewind", "there is no earlier cell to rewind to", `history holds ${this.size} cell(s), up to ${this.depth} (the cell that created a machine cannot be undone)`);
    }
    const restore: [Machine, MachineSnapshot][] = [];
    const untouched: number[] = [];
    for (const [id, m] of this.machines()) {
      const saved = target.machines.get(id);
      if (saved === undefined) {
        untouched.push(id);
        continue;
      }
      const now = booted(m);
      // Genode's layer is a journal replayed on restore (src/genode/journal.ts); it knows when a
      // cell drove the machine around it, and then it cannot be rebuilt
      const genode = saved.snapshot.layers.genode as { broken?: string } | undefined;
      if (genode?.broken !== undefined) {
        throw new UsageError(
          "rewind-genode",
          `rewind() cannot put machine #${id} back: Genode's state at that point cannot be rebuilt, because ${genode.broken}`,
          "drive a machine with Genode through g.start, g.reconfigure and m.run only, or re-run the notebook from the cell that creates this machine",
        );
      }
      const newer = now.filter((s) => !saved.systems.includes(s));
      if (newer.length > 0) {
        throw new UsageError("rewind-past-boot", `rewind() cannot put machine #${id} back: ${newer.join(" and ")} was booted on it after that point, and a boot cannot be undone`, "re-run the notebook from the cell that creates this machine");
      }
      restore.push([m, saved.snapshot]);
    }
    for (const [m, s] of restore) m.restore(s);
    this.stack.length -= depth;
    this.currentPending = false;
    return { cell: target.cell, restored: restore.map(([m]) => this.ids.get(m)!), untouched, remaining: this.size };
  }

  private *machines(): Generator<[number, Machine]> {
    for (const [id, ref] of this.live) {
      const m = ref.deref();
      if (m === undefined) this.live.delete(id);
      else yield [id, m];
    }
  }

  private texts(): Map<number, string> {
    const out = new Map<number, string>();
    for (const [id, m] of this.machines()) out.set(id, machineCapdl(m));
    return out;
  }

  /** Drops the oldest checkpoints past `depth` cells or `maxBytes`; the newest one always stays. */
  private trim(): void {
    const keep = this.depth + (this.currentPending ? 1 : 0);
    if (this.stack.length > keep) this.stack.splice(0, this.stack.length - keep);
    while (this.stack.length > 1 && this.bytes > this.maxBytes) this.stack.shift();
  }
}

const HISTORY = Symbol.for("hypernote.history");

/** The history of the machines made with createMachine(), shared by every copy of the package. */
export const machineHistory: MachineHistory = (g[HISTORY] ??= new MachineHistory()) as MachineHistory;

/** Undoes the last executed cell's effect on every live machine (see MachineHistory.rewind). */
export function rewind(): RewindResult {
  return machineHistory.rewind();
}

/** What the last executed cell changed, as a capDL-like diff (see MachineHistory.lastDiff). */
export function lastDiff(): CapdlDiff {
  return machineHistory.lastDiff();
}
