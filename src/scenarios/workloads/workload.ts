/** A workload: one operation against a scenario's WorkloadTarget, driven by a seeded generator. */
import type { Rng } from "../../machine/index.js";
import type { WorkloadName, WorkloadTarget } from "../types.js";

export interface Workload {
  readonly name: WorkloadName;
  /** One operation; throws if the system answered wrongly (lost data, wrong echo). */
  step(t: WorkloadTarget, rng: Rng, state: Map<number, Uint8Array>): void;
}
