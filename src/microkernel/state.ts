/**
 * The NOVA kernel's state as plain data (so that a machine snapshot holds it exactly), and the
 * kernel context every hypercall handler receives. Object records are defined beside their
 * operations in pd.ts, ec.ts, sc.ts, pt.ts and sm.ts; this file only ties them together.
 */
import { internalized, TraceTag, type GuestThread, type GuestThreadState, type Machine, type Rate } from "../machine/index.js";
import { IdCache } from "./id-cache.js";
import type { Regs } from "./abi.js";
import type { Ec, Entered } from "./ec.js";
import { Mdb, type MdbState } from "./mdb.js";
import type { Pd } from "./pd.js";
import type { Pt } from "./pt.js";
import type { Sc } from "./sc.js";
import type { Sm } from "./sm.js";

export type KObject = Pd | Ec | Sc | Pt | Sm;

/** What a portal's immutable fields (EC, MTD, IP) imply, computed once: see Kernel.portals. */
export interface PortalFacts {
  pt: Pt;
  /** Trace arguments of an empty call through it (frozen: every record shares them). */
  callArgs: Readonly<{ pt: number; callee: number; words: 0; items: 0 }>;
  /** The same for a call with `words` untyped words and no typed items, by word count. */
  wordArgs: Readonly<{ pt: number; callee: number; words: number; items: 0 }>[];
  /** RSI on entry: the MTD. */
  mtd: bigint;
  /** The registers and Entered record of a plain call, frozen, valid while the PID is `pid` (pt_ctrl may change it). */
  pid: bigint;
  regs: Readonly<Regs>;
  entered: Readonly<Entered>;
  /** The program id its IP is registered under, if any code is. */
  program: string;
  /** The registry's size when it held no program under `program` (NONE: not known): see rendezvous. */
  noProgramAt: number;
}
export type Kind = KObject["kind"];

export interface CpuQueues {
  /** Run queue per priority, SC ids in round-robin order (head first). */
  prio: number[][];
}

/** What a kernel entry gives back: the caller's registers (status = rdi & 0xff), or that it blocked. */
export type SyscallResult =
  | (Regs & { status: number; blocked?: undefined })
  | { blocked: true; status?: undefined; rdi?: undefined; rsi?: undefined; rdx?: undefined; rax?: undefined; r8?: undefined };

export interface NovaData {
  nextId: number;
  objects: Map<number, KObject>;
  kernelPd: number;
  rootPd: number;
  rootEc: number;
  rootSc: number;
  features: number;
  hipFrame: number;
  cpus: CpuQueues[];
  /** ECs entered on a CPU through a cross-CPU (GF XCPU) call: they run there at the caller's priority. */
  xcpu: number[][];
  /** Guest programs of ECs that run registered code (EC id → thread state, restorable by replay). */
  threads: Map<number, GuestThreadState>;
  /** Time of SCs that were destroyed, per CPU (GF sc_ctrl op 2 on the idle SC). */
  killedTime: number[];
  /** Time XCPU clones ran, per CPU (GF Sc::cross_time, sc_ctrl op 1 on the idle SC). */
  crossTime: number[];
  /** GSI → SM object id (kernel-PD semaphores) and routing CPU. */
  gsiCpu: number[];
  waitSeq: number;
}

export interface SavedState {
  data: NovaData;
  mdb: MdbState;
}

/** Kernel context: the machine, the state, and live objects that are rebuilt from the state (threads). */
export class Kernel {
  readonly mdb = new Mdb();
  readonly liveThreads = new Map<number, GuestThread<unknown, unknown>>();
  /**
   * Host-side caches for the IPC hot path, by object id; not state, never snapshotted. A portal's
   * entry holds what follows from its immutable fields and is used only while it names the very
   * object (a restore replaces every object, and may give its id to another one). Reply trace
   * arguments depend on the caller's id alone.
   */
  readonly portals = new IdCache<PortalFacts>();
  /** Per CPU, which priorities have a non-empty run queue (scheduler.ts readyBits). */
  readonly readyBits: ({ queues: CpuQueues; bits: Uint32Array } | undefined)[] = [];
  readonly replyArgs = new IdCache<Readonly<{ caller: number; words: 0; items: 0 }>>();
  /** Per EC, the trace tags of the calls it makes and the replies it sends (chargeIpc). */
  private readonly callTags = new IdCache<TraceTag>();
  private readonly replyTags = new IdCache<TraceTag>();
  /** Per EC, its last "resume" Entered record (frozen; complete() reuses it while IP and registers match). */
  readonly resumed = new IdCache<Readonly<Entered>>();
  /**
   * Per EC, a 32-bit view of its whole UTCB page: the header test and the
   * copy of untyped words read and write it without making a BigInt per word. (Named for its first
   * use, the header test; tests refer to it by this name.)
   */
  readonly utcbHead = new IdCache<Uint32Array>();
  /**
   * Trace arguments of a message with `words` untyped words and no typed items, by caller id and
   * word count (frozen and shared, as replyArgs).
   */
  readonly replyWordArgs = new IdCache<Readonly<{ caller: number; words: number; items: 0 }>[]>();
  /**
   * The rates of an IPC, looked up once: a CostModel keeps one Rate per primitive for its life and
   * updates it in place when a cell overrides the entry (machine/costs/model.ts).
   */
  readonly ipcRate: Rate;
  readonly kptiRate: Rate;
  readonly wordRate: Rate;

  /**
   * `d.objects` indexed by id in an array: a look-up on the IPC path is an element load instead of
   * a Map probe. Host-side, rebuilt whenever `d` is replaced (a restore); add() and remove() are the
   * only writers of `d.objects`, and they keep both in step.
   */
  private readonly table = new IdCache<KObject>();
  private data: NovaData;

  constructor(
    readonly m: Machine,
    d: NovaData,
  ) {
    this.data = d;
    this.index();
    this.ipcRate = m.costs.rate("ipc_oneway");
    this.kptiRate = m.costs.rate("kpti_switch");
    this.wordRate = m.costs.rate("utcb_word_copy");
  }

  get d(): NovaData {
    return this.data;
  }

  set d(d: NovaData) {
    this.data = d;
    this.index();
  }

  private index(): void {
    this.table.clear();
  }

  /** A new object becomes part of the state. */
  add(o: KObject): void {
    this.data.objects.set(o.id, o);
    this.table.set(o.id, o);
  }

  /** A destroyed object leaves the state. */
  remove(id: number): void {
    this.data.objects.delete(id);
    this.table.delete(id);
  }

  /**
   * Forget a destroyed object's hot-path cache entries: kept, the UTCB view pinned the dead EC's
   * 4 KiB page (the soak found one page per restarted Genode child).
   */
  forget(id: number): void {
    this.portals.delete(id);
    this.replyArgs.delete(id);
    this.replyWordArgs.delete(id);
    this.callTags.delete(id);
    this.replyTags.delete(id);
    this.resumed.delete(id);
    this.utcbHead.delete(id);
  }

  /** The trace tag of EC `ec`'s calls: layer "nova", op "call", actor ecName(ec). */
  callTag(ec: number): TraceTag {
    return this.callTags.get(ec) ?? this.callTags.set(ec, new TraceTag("nova", "call", ecName(ec)));
  }

  /** The trace tag of EC `ec`'s replies. */
  replyTag(ec: number): TraceTag {
    return this.replyTags.get(ec) ?? this.replyTags.set(ec, new TraceTag("nova", "reply", ecName(ec)));
  }

  /** EC `id`'s UTCB `u` as 32-bit words (little-endian, as the modelled x86_64): word i is halves 2i, 2i + 1. */
  utcb32(id: number, u: BigUint64Array): Uint32Array {
    let v = this.utcbHead.get(id);
    // A view is of the page it was made over: a new page (a restore) has another buffer or offset.
    if (v === undefined || v.buffer !== u.buffer || v.byteOffset !== u.byteOffset) v = this.utcbHead.set(id, new Uint32Array(u.buffer, u.byteOffset, 2 * u.length));
    return v;
  }

  obj(id: number): KObject | undefined {
    if (id < 0) return undefined;
    const o = this.table.get(id);
    if (o !== undefined) return o;
    const stored = this.data.objects.get(id);
    return stored === undefined ? undefined : this.table.set(id, stored);
  }

  pd(id: number): Pd {
    return this.obj(id) as Pd;
  }

  ec(id: number): Ec {
    return this.obj(id) as Ec;
  }

  sc(id: number): Sc {
    return this.obj(id) as Sc;
  }

  newId(): number {
    return this.d.nextId++;
  }

  /** Ticks per microsecond at the profile's clock (the modelled TSC runs at the core clock). */
  get ticksPerUs(): number {
    return this.m.costs.hz / 1e6;
  }
}

/**
 * Names are pure functions of an id, cached so that the hot paths (a trace record per kernel entry,
 * a space per IPC) make no string, and internalized so that comparing them is by reference.
 */
const spaceNames = new IdCache<string>();
/** The address space of a PD as CPUs name it (Cpu.enter compares it on every IPC). */
export function spaceName(pd: number): string {
  return spaceNames.get(pd) ?? spaceNames.set(pd, internalized(`nova:pd${pd}`));
}

const ecNames = new IdCache<string>();
/** The trace actor of an EC: the trace's interning finds it by identity. */
export function ecName(ec: number): string {
  return ecNames.get(ec) ?? ecNames.set(ec, internalized(`ec${ec}`));
}

export const NONE = -1;
