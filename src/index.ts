/**
 * hypernote: what a notebook cell imports. The machine, the kernels booted on it, and the helpers
 * that show what happened (tables, figures, reports).
 */
import { Machine, UsageError, type MachineOptions } from "./machine/index.js";

export { Machine, UsageError, InvariantError, Interrupted, profiles, primitiveNames, PAGE_SIZE } from "./machine/index.js";
export type { MachineOptions, MachineSnapshot, RunOptions, RunResult, Primitive, ProfileName, CostEntry, Confidence, TraceRecord, ChromeTrace, Cycles, CpuId } from "./machine/index.js";

/**
 * The machine a notebook works with: the emulated hardware plus one boot method per system that can
 * run on it (DESIGN.md, public surface). Each boot method may be called once per machine.
 */
export class HypernoteMachine extends Machine {
  private booted = new Set<string>();

  /** Guard shared by the boot methods: a system boots once per machine. */
  protected bootOnce<T>(system: string, boot: () => T): T {
    if (this.booted.has(system)) {
      throw new UsageError("already-booted", `${system} is already booted on this machine`, "create another machine with createMachine() for a second instance");
    }
    const booted = boot();
    this.booted.add(system);
    return booted;
  }
}

/** A new machine: `createMachine({ cpus: 2, memory: "256M", costs: "skylake", seed: 1 })`. */
export function createMachine(options: MachineOptions = {}): HypernoteMachine {
  return new HypernoteMachine(options);
}
