/**
 * hypernote: what a notebook cell imports. The machine, the kernels booted on it, and the helpers
 * that show what happened (tables, figures, reports).
 */
import { Machine, type MachineOptions } from "./machine/index.js";

export { Machine, UsageError, InvariantError, Interrupted, profiles, primitiveNames, PAGE_SIZE } from "./machine/index.js";
export type { MachineOptions, MachineSnapshot, RunOptions, RunResult, Primitive, ProfileName, CostEntry, Confidence, TraceRecord, ChromeTrace, Cycles, CpuId } from "./machine/index.js";

/** A new machine: `createMachine({ cpus: 2, memory: "256M", costs: "skylake", seed: 1 })`. */
export function createMachine(options: MachineOptions = {}): Machine {
  return new Machine(options);
}
