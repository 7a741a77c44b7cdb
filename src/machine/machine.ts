/**
 * The emulated machine: CPUs with their own cycle clocks, a discrete-event queue, physical memory,
 * the cost model every operation charges from, the trace that records every charge, a seeded RNG,
 * and exact snapshot/restore of all of it — including the state of every layer (NOVA, Xen, Genode)
 * that registers itself. It knows no kernel: kernels drive guest programs through the Dispatcher
 * interface and keep their state behind the Stateful interface.
 */
import { cloneData } from "./clone.js";
import { CostModel, cyclesOf, type CostOverride, type Primitive, type ProfileName, type Rate } from "./costs/index.js";
import { Cpu, type CpuState } from "./cpu.js";
import { InvariantError, UsageError } from "./errors.js";
import { EventQueue, type EventQueueState, type PendingEvent } from "./events.js";
import { ProgramRegistry } from "./guest.js";
import { hashValue } from "./hash.js";
import { checkInterrupt } from "./interrupt.js";
import { Memory, type MemoryState } from "./memory.js";
import { Rng, type RngState } from "./rng.js";
import { toChromeTrace, type ChromeTrace } from "./trace-export.js";
import { DEFAULT_TRACE_CAPACITY, Trace, type TraceState, type TraceTag } from "./trace.js";
import { parseSize, type CpuId, type Cycles } from "./units.js";

export interface MachineOptions {
  cpus?: number;
  /** Physical memory: bytes, or "256M", "1G", … (default 256M). */
  memory?: string | number;
  /** A profile name, or a profile with overrides (default "skylake"). */
  costs?: ProfileName | { profile?: ProfileName; overrides?: Partial<Record<Primitive, CostOverride>> };
  seed?: number;
  traceCapacity?: number;
}

/** A kernel model that runs guest threads on CPUs. */
export interface Dispatcher {
  /** Is a thread ready to run on this CPU now? */
  ready(cpu: CpuId): boolean;
  /** Run one kernel entry of the thread current on `cpu`; it advances that CPU's clock by what it charges. */
  step(cpu: CpuId): void;
}

/** A layer whose state is part of the machine's snapshots. save() returns plain data. */
export interface Stateful {
  save(): unknown;
  load(state: unknown): void;
}

export type EventHandler = (payload: unknown, cpu: CpuId, time: Cycles) => void;

export type RunOptions = { cycles: Cycles } | { until: Cycles | (() => boolean) };

/**
 * Sees every run before the machine does it: `direct` is the machine's own run. Genode's journal
 * records runs this way so that rewinding can replay them.
 */
export type RunWrapper = (options: RunOptions, direct: (options: RunOptions) => RunResult) => RunResult;

export interface RunResult {
  reason: "cycles" | "until" | "idle";
  now: Cycles;
  events: number;
  steps: number;
}

export interface MachineSnapshot {
  readonly kind: "hypernote.machine.snapshot";
  clocks: Float64Array;
  queue: EventQueueState;
  rng: RngState;
  memory: MemoryState;
  trace: TraceState;
  cpus: CpuState[];
  layers: Record<string, unknown>;
}

/** Charge parts: a primitive charged once, or [primitive, units] (e.g. ["memcpy_per_byte", 4096]). */
export type ChargePart = Primitive | readonly [Primitive, number];

const INTERRUPT_POLL_MASK = 0xff;

export class Machine {
  readonly costs: CostModel;
  readonly memory: Memory;
  readonly trace: Trace;
  readonly rng: Rng;
  readonly cpus: readonly Cpu[];
  readonly programs = new ProgramRegistry();
  readonly seed: number;
  private readonly clocks: Float64Array;
  private readonly queue = new EventQueue();
  private readonly handlers = new Map<string, EventHandler>();
  private readonly dispatchers: Dispatcher[] = [];
  private readonly layers = new Map<string, Stateful>();
  private runWrapper: RunWrapper | undefined;
  private readonly runDirect = (options: RunOptions): RunResult => this.runUnwrapped(options);
  private readonly scratch: PendingEvent = { time: 0, seq: 0, cpu: 0, kind: "", payload: undefined };
  /** Rates of the shootdown's primitives, looked up once: the cost model updates a Rate in place on an override. */
  private readonly invlpgRate: Rate;
  private readonly shootdownRate: Rate;

  constructor(options: MachineOptions = {}) {
    const cpus = options.cpus ?? 1;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 256) throw new UsageError("bad-cpus", `cpus must be a whole number from 1 to 256, got ${cpus}`);
    const costs = typeof options.costs === "object" ? options.costs : { profile: options.costs };
    this.costs = new CostModel(costs.profile ?? "skylake", costs.overrides ?? {});
    this.invlpgRate = this.costs.rate("invlpg");
    this.shootdownRate = this.costs.rate("tlb_shootdown_remote");
    this.memory = new Memory(parseSize(options.memory ?? "256M"));
    this.trace = new Trace(options.traceCapacity ?? DEFAULT_TRACE_CAPACITY);
    this.seed = options.seed ?? 1;
    if (!Number.isInteger(this.seed)) throw new UsageError("bad-seed", `seed must be a whole number, got ${this.seed}`);
    this.rng = new Rng(this.seed);
    this.cpus = Array.from({ length: cpus }, (_, i) => new Cpu(i));
    this.clocks = new Float64Array(cpus);
    this.on("machine.tlb_flush", (payload, cpu) => this.remoteFlush(payload as { space: string; actor: string }, cpu));
  }

  // ---- time ----------------------------------------------------------------------------------

  /** A CPU's clock in cycles; without an argument, the latest any CPU has reached. */
  now(cpu?: CpuId): Cycles {
    if (cpu !== undefined) return this.clocks[this.checkCpu(cpu)]!;
    let max = 0;
    for (let i = 0; i < this.clocks.length; i++) if (this.clocks[i]! > max) max = this.clocks[i]!;
    return max;
  }

  /** Cycles → seconds at the profile's clock. */
  seconds(cycles: Cycles): number {
    return cycles / this.costs.hz;
  }

  // ---- charging ------------------------------------------------------------------------------

  /** Charge `units` of one primitive on a CPU and record it; returns the cycles charged. */
  charge(cpu: CpuId, primitive: Primitive, layer: string, op: string, actor: string, args?: Record<string, unknown>, units = 1): Cycles {
    const rate = this.costs.rate(primitive);
    const cycles = cyclesOf(rate, units);
    return this.account(cpu, cycles, layer, op, actor, args, rate.lo, rate.hi);
  }

  /** Charge `units` of a primitive through a Rate looked up once with `m.costs.rate(name)` (hot paths). */
  chargeRate(cpu: CpuId, rate: Rate, layer: string, op: string, actor: string, args?: Record<string, unknown>, units = 1): Cycles {
    const cycles = cyclesOf(rate, units);
    return this.account(cpu, cycles, layer, op, actor, args, rate.lo, rate.hi);
  }

  /** Charge the sum of several primitives as one operation — how compound costs are built. */
  chargeMany(cpu: CpuId, parts: readonly ChargePart[], layer: string, op: string, actor: string, args?: Record<string, unknown>): Cycles {
    let cycles = 0;
    let lo = 0;
    let hi = 0;
    for (const part of parts) {
      // Indexing the tuple rather than destructuring a fresh [name, units] keeps the loop allocation-free.
      const name = typeof part === "string" ? part : part[0];
      const units = typeof part === "string" ? 1 : part[1];
      const rate = this.costs.rate(name);
      cycles += cyclesOf(rate, units);
      lo |= rate.lo;
      hi |= rate.hi;
    }
    return this.account(cpu, cycles, layer, op, actor, args, lo >>> 0, hi >>> 0);
  }

  /** Advance a CPU's clock by `cycles` and record it (primitive mask given by the caller). */
  account(cpu: CpuId, cycles: Cycles, layer: string, op: string, actor: string, args?: Record<string, unknown>, primsLo = 0, primsHi = 0): Cycles {
    const start = this.clocks[cpu];
    if (start === undefined) this.checkCpu(cpu);
    this.clocks[cpu] = start! + cycles;
    this.trace.record(start!, cpu, layer, op, actor, cycles, primsLo, primsHi, args);
    return cycles;
  }

  /** account(), recording through a TraceTag (a hot path's layer, operation and actor, interned once). */
  accountTagged(cpu: CpuId, cycles: Cycles, tag: TraceTag, args?: Record<string, unknown>, primsLo = 0, primsHi = 0): Cycles {
    const start = this.clocks[cpu];
    if (start === undefined) this.checkCpu(cpu);
    this.clocks[cpu] = start! + cycles;
    this.trace.recordTagged(start!, cpu, tag, cycles, primsLo, primsHi, args);
    return cycles;
  }

  /** Let a CPU sit idle until `time` (no record: idling is not an operation). */
  idleUntil(cpu: CpuId, time: Cycles): void {
    this.checkCpu(cpu);
    if (time > this.clocks[cpu]!) this.clocks[cpu] = time;
  }

  // ---- events --------------------------------------------------------------------------------

  on(kind: string, handler: EventHandler): void {
    if (this.handlers.has(kind)) throw new UsageError("duplicate-handler", `an event handler for "${kind}" is already registered`);
    this.handlers.set(kind, handler);
  }

  /** Schedule an event on a CPU at an absolute time. */
  schedule(cpu: CpuId, time: Cycles, kind: string, payload?: unknown): void {
    this.checkCpu(cpu);
    if (!this.handlers.has(kind)) throw new UsageError("unknown-event", `no handler registered for event kind "${kind}"`);
    if (!(time >= 0)) throw new UsageError("bad-time", `event time must be ≥ 0, got ${time}`);
    this.queue.push(time, cpu, kind, payload);
  }

  /** Schedule an event `delay` cycles after a CPU's current time. */
  after(cpu: CpuId, delay: Cycles, kind: string, payload?: unknown): void {
    this.schedule(cpu, this.now(cpu) + delay, kind, payload);
  }

  /** Send an inter-processor interrupt: the event fires on `to` one IPI delivery after `from`'s now. */
  ipi(from: CpuId, to: CpuId, kind: string, payload?: unknown): void {
    this.schedule(to, this.now(from) + this.costs.cycles("ipi"), kind, payload);
  }

  get pendingEvents(): readonly PendingEvent[] {
    return this.queue.list();
  }

  // ---- TLB -----------------------------------------------------------------------------------

  /**
   * Flush an address space's translations after an unmap: INVLPG locally if this CPU may cache them,
   * and a shootdown IPI to every other CPU that may, whose acknowledgement the initiator waits for.
   * Returns the remote CPUs flushed.
   */
  tlbShootdown(cpu: CpuId, space: string, layer: string, actor: string, args?: Record<string, unknown>): CpuId[] {
    this.checkCpu(cpu);
    const local = this.cpus[cpu]!.mayCache(space);
    const remote: CpuId[] = [];
    for (const c of this.cpus) if (c.id !== cpu && c.mayCache(space)) remote.push(c.id);
    if (!local && remote.length === 0) return remote;
    // What chargeMany(["invlpg", ["tlb_shootdown_remote", remote.length]]) charges, without building
    // the parts list on every unmap.
    let cycles = 0;
    let lo = 0;
    let hi = 0;
    if (local) {
      const r = this.invlpgRate;
      cycles += r.cycles;
      lo |= r.lo;
      hi |= r.hi;
    }
    if (remote.length > 0) {
      const r = this.shootdownRate;
      cycles += cyclesOf(r, remote.length);
      lo |= r.lo;
      hi |= r.hi;
    }
    this.account(cpu, cycles, layer, "tlb_shootdown", actor, args === undefined ? { space, remote } : { ...args, space, remote }, lo >>> 0, hi >>> 0);
    if (local) this.cpus[cpu]!.flushed(space);
    for (const r of remote) this.schedule(r, this.now(cpu), "machine.tlb_flush", { space, actor });
    return remote;
  }

  private remoteFlush(p: { space: string; actor: string }, cpu: CpuId): void {
    this.charge(cpu, "invlpg", "machine", "tlb_flush_ipi", p.actor, { space: p.space });
    this.cpus[cpu]!.flushed(p.space);
  }

  // ---- running -------------------------------------------------------------------------------

  addDispatcher(d: Dispatcher): void {
    this.dispatchers.push(d);
  }

  /**
   * Run the machine: fire events and step ready guest threads in time order (an event at the same
   * time as a ready CPU goes first; among CPUs, the lowest clock, then the lowest index) until the
   * target time, the `until` condition, or nothing is left to do.
   */
  run(options: RunOptions): RunResult {
    const wrapper = this.runWrapper;
    return wrapper === undefined ? this.runUnwrapped(options) : wrapper(options, this.runDirect);
  }

  /**
   * Let one layer see every run (see RunWrapper). One only: a second wrapper would have to decide
   * whether it sees the first's replays, and no layer needs that yet.
   */
  wrapRuns(wrapper: RunWrapper): void {
    if (this.runWrapper !== undefined) throw new UsageError("runs-wrapped", "this machine's runs are already wrapped by another layer (one wrapper per machine)");
    this.runWrapper = wrapper;
  }

  private runUnwrapped(options: RunOptions): RunResult {
    let target: Cycles;
    let stop: (() => boolean) | undefined;
    if ("cycles" in options) {
      if (!(options.cycles >= 0)) throw new UsageError("bad-cycles", `run({ cycles }) needs a number ≥ 0, got ${options.cycles}`);
      target = this.now() + options.cycles;
    } else if (typeof options.until === "function") {
      target = Infinity;
      stop = options.until;
    } else if (typeof options.until === "number") {
      target = options.until;
    } else {
      throw new UsageError("bad-run", "run() takes { cycles: n } or { until: time | () => boolean }");
    }
    let events = 0;
    let steps = 0;
    let reason: RunResult["reason"] = "idle";
    for (let iter = 0; ; iter++) {
      if ((iter & INTERRUPT_POLL_MASK) === 0) checkInterrupt(`cycle ${this.now()}`);
      if (stop?.()) {
        reason = "until";
        break;
      }
      const eventTime = this.queue.peekTime();
      const cpu = this.nextReadyCpu();
      const cpuTime = this.readyTime;
      if (eventTime <= cpuTime && eventTime <= target && eventTime !== Infinity) {
        this.queue.popInto(this.scratch);
        const e = this.scratch;
        if (this.clocks[e.cpu]! < e.time) this.clocks[e.cpu] = e.time;
        this.handlers.get(e.kind)!(e.payload, e.cpu, e.time);
        events++;
      } else if (cpu >= 0 && cpuTime < target) {
        const before = this.clocks[cpu]!;
        const d = this.readyDispatcher!;
        d.step(cpu);
        if (this.clocks[cpu] === before && d.ready(cpu)) {
          throw new InvariantError(`a dispatcher stepped CPU ${cpu} without charging any cycles and it is still ready: the run would never end`);
        }
        steps++;
      } else {
        reason = target === Infinity ? "idle" : "cycles" in options ? "cycles" : "until";
        break;
      }
    }
    if (target !== Infinity) for (let c = 0; c < this.clocks.length; c++) if (this.clocks[c]! < target) this.clocks[c] = target;
    return { reason, now: this.now(), events, steps };
  }

  /** The dispatcher that had the CPU nextReadyCpu() picked ready, and that CPU's clock (Infinity: none). */
  private readyDispatcher: Dispatcher | undefined;
  private readyTime: Cycles = Infinity;

  /** The earliest ready CPU (-1: none); its clock goes to readyTime, so that each step allocates no pair. */
  private nextReadyCpu(): CpuId {
    let best = -1;
    let bestTime = Infinity;
    for (let c = 0; c < this.clocks.length; c++) {
      if (this.clocks[c]! >= bestTime) continue;
      for (const d of this.dispatchers) {
        if (d.ready(c)) {
          best = c;
          bestTime = this.clocks[c]!;
          this.readyDispatcher = d;
          break;
        }
      }
    }
    this.readyTime = bestTime;
    return best;
  }

  // ---- state ---------------------------------------------------------------------------------

  /** Make a layer's state part of every snapshot. Layers restore in registration order. */
  registerLayer(name: string, layer: Stateful): void {
    if (this.layers.has(name)) throw new UsageError("duplicate-layer", `a layer named "${name}" is already registered`);
    this.layers.set(name, layer);
  }

  snapshot(): MachineSnapshot {
    const layers: Record<string, unknown> = {};
    for (const [name, layer] of this.layers) layers[name] = layer.save();
    return cloneData({
      kind: "hypernote.machine.snapshot" as const,
      clocks: this.clocks,
      queue: this.queue.save(),
      rng: this.rng.save(),
      memory: this.memory.save(),
      trace: this.trace.save(),
      cpus: this.cpus.map((c) => c.save()),
      layers,
    });
  }

  /** Put the machine back exactly as it was when the snapshot was taken. The snapshot stays reusable. */
  restore(snapshot: MachineSnapshot): void {
    if (snapshot?.kind !== "hypernote.machine.snapshot") throw new UsageError("bad-snapshot", "restore() takes a value returned by snapshot()");
    if (snapshot.clocks.length !== this.clocks.length) {
      throw new UsageError("bad-snapshot", `snapshot is of a machine with ${snapshot.clocks.length} CPUs, this one has ${this.clocks.length}`);
    }
    const missing = [...this.layers.keys()].filter((n) => !(n in snapshot.layers));
    if (missing.length > 0) throw new UsageError("bad-snapshot", `snapshot was taken before layer(s) ${missing.join(", ")} were booted`);
    const s = cloneData(snapshot);
    this.clocks.set(s.clocks);
    this.queue.load(s.queue);
    this.rng.load(s.rng);
    this.memory.load(s.memory);
    this.trace.load(s.trace);
    s.cpus.forEach((c, i) => this.cpus[i]!.load(c));
    for (const [name, layer] of this.layers) layer.load(s.layers[name]);
  }

  /**
   * A hash of the model's state — memory, RNG, pending events and every layer — without clocks or
   * trace: an operation that fails must leave it unchanged, even though it spent cycles failing.
   */
  stateHash(): string {
    const layers: Record<string, unknown> = {};
    for (const [name, layer] of this.layers) layers[name] = layer.save();
    return hashValue({ memory: this.memory.save(), rng: this.rng.save(), queue: this.queue.save(), cpus: this.cpus.map((c) => c.save()), layers });
  }

  /** The trace as Chrome Trace Event JSON; open it in ui.perfetto.dev. */
  chromeTrace(): ChromeTrace {
    return toChromeTrace(this.trace, this.costs.hz, {
      seed: this.seed,
      cost_profile: this.costs.profile.id,
      cpu_model: this.costs.profile.cpuModel,
      cost_overrides: Object.keys(this.costs.overrides()),
    });
  }

  private checkCpu(cpu: CpuId): CpuId {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.clocks.length) {
      throw new UsageError("bad-cpu", `CPU ${cpu} does not exist (this machine has CPUs 0..${this.clocks.length - 1})`);
    }
    return cpu;
  }
}
