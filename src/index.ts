/**
 * hypernote: what a notebook cell imports. The machine, the kernels booted on it, and the helpers
 * that show what happened (tables, figures, reports).
 */
import type { ColumnTable } from "arquero";
import { Machine, UsageError, type MachineOptions } from "./machine/index.js";
import { bootXen, type Xen } from "./xen/index.js";
import { bootNova, type Nova } from "./microkernel/index.js";
import { Genode, novaPort, type GenodeOptions } from "./genode/index.js";
import { latencySummary, latencyTable, machineHistory, noteBooted, tcb, type TcbResult, type TraceFilter } from "./metrics/index.js";

export { Machine, UsageError, InvariantError, Interrupted, profiles, primitiveNames, PAGE_SIZE } from "./machine/index.js";
// What a cell needs, and nothing more: every name exported here is a global in every notebook cell
// (the kernel's prelude imports them all), so the layers' helpers for each other stay unexported.
export {
  latencyTable,
  latencySummary,
  percentile,
  isUncertain,
  tcb,
  TcbError,
  TCB_CATALOGUE,
  TCB_CATEGORIES,
  histogram,
  cdf,
  groupedBars,
  stackedBars,
  timeline,
  lineChart,
  withReferenceLine,
  tcbBarData,
  provenanceOf,
  combinedProvenance,
  locProvenance,
  provenanceNote,
  uncertaintyMarker,
  machineHistory,
  rewind,
  lastDiff,
  capdlDiff,
  CapdlDiff,
} from "./metrics/index.js";
export type { TcbResult, TcbComponent, TcbCategory, PlotlySpec, Provenance, CostProvenance, LocProvenance, HostProvenance, Series, BarData, XySeries, TraceFilter } from "./metrics/index.js";
export { DISPLAY, Figure, figure, HtmlReport, tableBundle } from "./display/index.js";
export type { MimeBundle } from "./display/index.js";
export type { MachineOptions, MachineSnapshot, RunOptions, RunResult, Primitive, ProfileName, CostEntry, Confidence, TraceRecord, ChromeTrace, Cycles, CpuId } from "./machine/index.js";
export type { Xen, XenGuest, CreateDomainOptions, XenEntry, DomainInfo } from "./xen/index.js";
export type { Genode, GenodeOptions, TcbSet, TcbMember, CostBreakdown as GenodeCostBreakdown } from "./genode/index.js";
export { createScenario, SCENARIOS, WORKLOADS, Scenario } from "./scenarios/index.js";
export type { ScenarioName, WorkloadName, Workload, TcbReport } from "./scenarios/index.js";
export type { Nova, Regs, SyscallResult, EcStateView, Crd, GuestEntry, HipInfo, Displayable, KObjectHandle, UtcbView } from "./microkernel/index.js";

/**
 * The machine a notebook works with: the emulated hardware plus one boot method per system that can
 * run on it (DESIGN.md, public surface). Each boot method may be called once per machine.
 */
export class HypernoteMachine extends Machine {
  private booted = new Set<string>();

  /** Every recorded operation as a table: time, CPU, layer, op, actor, cycles, ns, what it rested on. */
  latency(filter?: TraceFilter): ColumnTable {
    return latencyTable(this.trace, this.costs, filter);
  }

  /** count, mean and percentiles per group of operations (default: per layer and op). */
  latencySummary(by: readonly string[] = ["layer", "op"]): ColumnTable {
    return latencySummary(this.trace, this.costs, by);
  }

  /** Lines of code of a set of components from the TCB catalogue, by category. */
  tcb(componentIds: Iterable<string>): TcbResult {
    return tcb(componentIds);
  }

  /** Guard shared by the boot methods: a system boots once per machine. */
  protected bootOnce<T>(system: string, boot: () => T): T {
    if (this.booted.has(system)) {
      throw new UsageError("already-booted", `${system} is already booted on this machine`, "create another machine with createMachine() for a second instance");
    }
    const booted = boot();
    this.booted.add(system);
    noteBooted(this, system, booted); // lets the cell history render and guard this system
    return booted;
  }

  /** Xen with Dom0 (domid 0, privileged); see src/xen/xen.ts for the boot state. */
  bootXen(): Xen {
    return this.bootOnce("Xen", () => bootXen(this));
  }

  /**
   * Genode on an emulated kernel: boots that kernel, then core and (with `g.start(xml)`) init.
   * "nova" runs base-nova on this machine's NOVA; "xen" runs base-xen on this machine's Xen
   * (core in Dom0, every PD a Xen domain).
   */
  bootGenode(options: { kernel: "nova" | "xen" } & Omit<GenodeOptions, "kernel" | "nova" | "xen">): Genode {
    if (options.kernel === "xen") return this.bootOnce("Genode", () => new Genode(this, { ...options, kernel: "xen", xen: this.bootXen() }));
    if (options.kernel !== "nova") {
      throw new UsageError("bad-kernel", `Genode runs on "nova" or "xen", not "${String(options.kernel)}"`, 'use bootGenode({ kernel: "nova" })');
    }
    return this.bootOnce("Genode", () => new Genode(this, { ...options, nova: novaPort(this.bootNova()) }));
  }

  /** Boot the NOVA microhypervisor (S14 + GF): root PD 0x20, root EC 0x21, root SC 0x22. */
  bootNova(): Nova {
    return this.bootOnce("NOVA", () => bootNova(this));
  }
}

/** A new machine: `createMachine({ cpus: 2, memory: "256M", costs: "skylake", seed: 1 })`. */
export function createMachine(options: MachineOptions = {}): HypernoteMachine {
  const m = new HypernoteMachine(options);
  machineHistory.watchInKernel(m); // checkpointed before every later cell; rewind() puts it back
  return m;
}
