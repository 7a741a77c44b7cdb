/**
 * Scenarios: whole-system compositions that run the same workloads side by side (DESIGN.md
 * Scenarios): nova-genode, xen-linux-dom0 and the seed's three — genode-on-xen, genode-dom0,
 * genode-domu. `createScenario(name, machineOptions?)` builds one on a machine of its own.
 */
import { UsageError, type MachineOptions } from "../machine/index.js";
import { genodeDom0 } from "./genode-dom0.js";
import { genodeDomu } from "./genode-domu.js";
import { genodeOnXen } from "./genode-on-xen.js";
import { novaGenode } from "./nova-genode.js";
import { xenLinuxDom0 } from "./xen-linux-dom0.js";
import type { Scenario } from "./scenario.js";
import type { ScenarioName } from "./types.js";

export { Scenario } from "./scenario.js";
export { WORKLOADS, rpcPingPong, blockRandom4k, packetRouter, type Workload } from "./workloads/index.js";
export type { ScenarioName, WorkloadName, WorkloadTarget, RunOptions, RunResult, TcbReport } from "./types.js";

const BUILDERS: Record<ScenarioName, (o: MachineOptions) => Scenario> = {
  "nova-genode": novaGenode,
  "genode-on-xen": genodeOnXen,
  "xen-linux-dom0": xenLinuxDom0,
  "genode-dom0": genodeDom0,
  "genode-domu": genodeDomu,
};
export const SCENARIOS = Object.keys(BUILDERS) as ScenarioName[];

export function createScenario(name: ScenarioName, options: MachineOptions = {}): Scenario {
  const b = BUILDERS[name] as ((o: MachineOptions) => Scenario) | undefined;
  if (b === undefined) throw new UsageError("unknown-scenario", `no scenario "${String(name)}"`, `scenarios: ${SCENARIOS.join(", ")}`);
  return b({ cpus: 2, memory: "256M", seed: 1, ...options });
}
