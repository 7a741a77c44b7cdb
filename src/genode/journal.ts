/**
 * Genode's snapshot record: the operations that drove a machine with Genode on it since Genode
 * booted, in order — Genode's own entry points (g.start, g.reconfigure, g.rpcCost) and every
 * m.run() (seen through the machine's run wrapper, Machine.wrapRuns). Genode's objects hold
 * closures (RPC dispatch functions, signal handlers, components' timers), which no snapshot can
 * copy; the machine is deterministic, so replaying these operations from the boot snapshot
 * rebuilds exactly those objects, and the machine with them (genode.ts). Entries are plain data;
 * consecutive equal ones are counted, not repeated, so a loop of `m.run({ cycles })` or of
 * rpcCost() costs one entry.
 *
 * Replay is exact only if nothing else drove the machine: a direct kernel entry from a cell, a
 * charge, an idle. Those cannot be replayed, so the journal watches for them — the trace's
 * record count and the CPU clocks must not move between two journalled operations — and once it
 * sees one it is broken: snapshots still work for the other layers' inspection, but restoring
 * one with Genode is refused with the reason.
 */
import type { Machine, RunOptions, RunResult } from "../machine/index.js";

export type JournalEntry =
  /** `xml` indexes JournalState.texts: a soak that alternates two configurations stores two strings. */
  | { op: "start"; xml: number }
  | { op: "reconfigure"; xml: number }
  | { op: "rpc-cost"; words: number; caps: number; times: number }
  | { op: "run"; cycles: number; times: number }
  | { op: "run-until"; time: number }
  /** A run whose `until` was a function: it was asked `checks` times, and answered true last if `stopped`. */
  | { op: "run-while"; checks: number; stopped: boolean };

/** An operation as Genode hands it to record(): configuration text not yet interned. */
export type JournalOp = Exclude<JournalEntry, { op: "start" | "reconfigure" }> | { op: "start" | "reconfigure"; text: string };

/** What Genode's layer saves: the journal, the boot it starts from, and where the machine stood after it. */
export interface JournalState {
  boot: string;
  entries: JournalEntry[];
  texts: string[];
  /** Machine fingerprint after the last entry (see Journal.fingerprint). */
  mark: string;
  broken: string | undefined;
}

/**
 * Entries kept at most. The journal grows with every operation and cannot be shortened: replay from
 * boot is the only way to rebuild Genode's objects, and no operation can be dropped or merged with a
 * later one without changing what replay arrives at (a reconfiguration that a later one undoes still
 * started children, spent ids, quota and time). So a journal past this is broken rather than growing
 * without bound in a soak; snapshots taken before stay restorable. A configuration applied again
 * costs one reference (entries are shared, see Journal.textEntry), so a reconfiguration soak's
 * journal holds 512 KiB at the limit, which `npm run soak` reaches in under half an hour.
 */
export const JOURNAL_LIMIT = 1 << 16;

export class Journal {
  entries: JournalEntry[] = [];
  texts: string[] = [];
  private textIndex = new Map<string, number>();
  /** The entry of a start or reconfigure, by text index, shared by every time that text is applied. */
  private textEntries = { start: [] as JournalEntry[], reconfigure: [] as JournalEntry[] };
  broken: string | undefined;
  /** Set while replaying: operations then run without being recorded again. */
  replaying = false;
  /**
   * Where the machine stood after the last journalled operation: the trace's record count and the
   * CPU clocks, which any operation on the machine moves. Numbers, compared without allocating:
   * an RPC benchmark goes through here once per call.
   */
  private markTotal = 0;
  private readonly markClocks: Float64Array;
  /** Depth of journalled operations in progress: only the outermost one is recorded. */
  private depth = 0;

  constructor(private readonly m: Machine, readonly boot: string) {
    this.markClocks = new Float64Array(m.cpus.length);
    this.setMark();
  }

  /** The machine's fingerprint now, as a saved `mark` spells it. */
  fingerprint(): string {
    let s = String(this.m.trace.total);
    for (let c = 0; c < this.m.cpus.length; c++) s += `,${this.m.now(c)}`;
    return s;
  }

  private setMark(): void {
    this.markTotal = this.m.trace.total;
    for (let c = 0; c < this.markClocks.length; c++) this.markClocks[c] = this.m.now(c);
  }

  private markString(): string {
    let s = String(this.markTotal);
    for (let c = 0; c < this.markClocks.length; c++) s += `,${this.markClocks[c]}`;
    return s;
  }

  /** Has the machine moved since the mark? */
  private moved(): boolean {
    if (this.m.trace.total !== this.markTotal) return true;
    for (let c = 0; c < this.markClocks.length; c++) if (this.m.now(c) !== this.markClocks[c]) return true;
    return false;
  }

  /** Did something drive the machine since the last journalled operation? Then replay cannot reproduce it. */
  check(): void {
    if (this.broken !== undefined || this.depth > 0 || this.replaying) return;
    if (this.moved()) {
      this.break(`the machine was driven outside Genode's operations and m.run() (a kernel entry, a charge or an idle from a cell) after ${this.entries.length} journalled operation(s)`);
    }
  }

  /** From now on no snapshot can rebuild Genode: say why, and stop keeping entries nobody can use. */
  private break(why: string): void {
    this.broken ??= why;
    this.entries = [];
    this.texts = [];
    this.textIndex.clear();
    this.textEntries = { start: [], reconfigure: [] };
  }

  /** The index of a configuration text in `texts`, added if new. */
  private text(xml: string): number {
    let i = this.textIndex.get(xml);
    if (i === undefined) {
      i = this.texts.length;
      this.texts.push(xml);
      this.textIndex.set(xml, i);
    }
    return i;
  }

  /**
   * The entry for applying a configuration text: one frozen object per text, so a soak that
   * alternates two configurations adds a reference per operation to the journal, not an object.
   * (append() counts repeats only of run and rpc-cost entries, in place, so sharing these is safe.)
   */
  private textEntry(op: "start" | "reconfigure", text: string): JournalEntry {
    const xml = this.text(text);
    return (this.textEntries[op][xml] ??= Object.freeze({ op, xml }));
  }

  save(): JournalState {
    this.check();
    return { boot: this.boot, entries: this.entries, texts: this.texts, mark: this.markString(), broken: this.broken };
  }

  /** Take over a saved journal (restore), the machine standing where it stood then. */
  adopt(s: JournalState): void {
    this.entries = s.entries;
    this.texts = s.texts;
    this.textIndex = new Map(s.texts.map((t, i) => [t, i]));
    this.textEntries = { start: [], reconfigure: [] };
    const [total, ...clocks] = s.mark.split(",").map(Number);
    this.markTotal = total!;
    clocks.forEach((t, c) => { this.markClocks[c] = t; });
    this.broken = s.broken;
  }

  /** Same operations as a saved journal? (Then Genode's objects already are as they were then.) */
  same(s: JournalState): boolean {
    if (s.mark !== this.markString() || s.entries.length !== this.entries.length || s.texts.length !== this.texts.length || this.broken !== undefined) return false;
    for (let i = 0; i < s.entries.length; i++) if (!sameEntry(s.entries[i]!, this.entries[i]!)) return false;
    return true;
  }

  /**
   * Run a Genode operation and record it if it did anything (moved the machine, printed, or
   * succeeded); an operation that failed without effect leaves no entry, so the state is as before.
   */
  record<T>(entry: JournalOp, effect: () => number, op: () => T, succeeded: (r: T) => boolean): T {
    if (this.replaying || this.depth > 0) return op();
    this.check(); // from here the machine stands at the mark, unless the journal is broken anyway
    const printed = effect();
    let r: T;
    this.depth++;
    try {
      r = op();
    } catch (e) {
      this.depth--;
      if (this.moved() || effect() !== printed) this.break(`a Genode operation (${entry.op}) threw after changing the machine`);
      throw e;
    }
    this.depth--;
    if (this.broken === undefined && (succeeded(r) || this.moved() || effect() !== printed)) {
      this.append("text" in entry ? this.textEntry(entry.op, entry.text) : entry);
    }
    this.setMark();
    return r;
  }

  /** m.run(), recorded so that replay runs it the same way. */
  run(options: RunOptions, run: (o: RunOptions) => RunResult): RunResult {
    if (this.replaying || this.depth > 0) return run(options);
    this.check();
    let entry: JournalEntry;
    let opts = options;
    const asked = { checks: 0, stopped: false };
    if ("cycles" in options) entry = { op: "run", cycles: options.cycles, times: 1 };
    else if (typeof options.until === "function") {
      const until = options.until;
      opts = { until: () => { asked.checks++; asked.stopped = until(); return asked.stopped; } };
      entry = { op: "run-while", checks: 0, stopped: false };
    } else entry = { op: "run-until", time: options.until };
    let r: RunResult;
    this.depth++;
    try {
      r = run(opts);
    } catch (e) {
      this.depth--;
      if (this.moved()) this.break("m.run() was interrupted part-way");
      throw e;
    }
    this.depth--;
    if (entry.op === "run-while") entry = { op: "run-while", checks: asked.checks, stopped: asked.stopped };
    if (r.events + r.steps > 0 || this.moved()) this.append(entry);
    this.setMark();
    return r;
  }

  /** The run an entry stands for, as options for the machine's own run(). */
  static replayRun(e: JournalEntry & { op: "run" | "run-until" | "run-while" }): RunOptions {
    if (e.op === "run") return { cycles: e.cycles };
    if (e.op === "run-until") return { until: e.time };
    let checks = 0;
    return { until: () => ++checks === e.checks && e.stopped };
  }

  private append(e: JournalEntry): void {
    if (this.broken !== undefined) return;
    if (this.entries.length >= JOURNAL_LIMIT) {
      this.break(`Genode's journal reached ${JOURNAL_LIMIT} operations, the most it keeps`);
      return;
    }
    // consecutive equal entries are counted (in place: snapshots hold copies of the entries)
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && last.op === e.op) {
      if (last.op === "rpc-cost" && e.op === "rpc-cost" && last.words === e.words && last.caps === e.caps) { last.times += e.times; return; }
      if (last.op === "run" && e.op === "run" && last.cycles === e.cycles) { last.times += e.times; return; }
    }
    this.entries.push(e);
  }
}

function sameEntry(a: JournalEntry, b: JournalEntry): boolean {
  if (a.op !== b.op) return false;
  for (const k of Object.keys(a) as (keyof JournalEntry)[]) if (a[k] !== b[k]) return false;
  return true;
}
