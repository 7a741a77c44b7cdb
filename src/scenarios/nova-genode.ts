/** nova-genode: Genode on NOVA (base-nova), the composition the seed's 10,000-line claim is about. */
import { Machine, type MachineOptions } from "../machine/index.js";
import { bootGenode } from "../genode/index.js";
import { novaPort } from "../genode/index.js";
import { bootNova } from "../microkernel/index.js";
import { GenodeTarget, workloadInitConfig } from "./genode-target.js";
import { WorkloadPorts, workloadPrograms } from "./programs.js";
import { Scenario } from "./scenario.js";

export function novaGenode(options: MachineOptions): Scenario {
  const m = new Machine(options);
  const ports = new WorkloadPorts();
  const g = bootGenode(m, { kernel: "nova", nova: novaPort(bootNova(m)), programs: workloadPrograms(ports) });
  const r = g.start(workloadInitConfig());
  if (!r.ok) throw new Error(`nova-genode: init refused its configuration (${r.error})`);
  m.run({ cycles: 1e6 });
  return new Scenario("nova-genode", m, new GenodeTarget(m, g, ports), "Genode on NOVA: every component its own NOVA PD, RPC = portal call");
}
