/**
 * genode-on-xen: the seed's first approach — Genode over base-xen: core in Dom0, every component a
 * Xen domain, RPC = granted page + event channel, signals = event channels. No Linux, no
 * xenstored, no toolstack: core creates the domains itself.
 */
import { Machine, type MachineOptions } from "../machine/index.js";
import { bootGenode } from "../genode/index.js";
import { bootXen } from "../xen/index.js";
import { GenodeTarget, workloadInitConfig } from "./genode-target.js";
import { WorkloadPorts, workloadPrograms } from "./programs.js";
import { Scenario } from "./scenario.js";

export function genodeOnXen(options: MachineOptions): Scenario {
  const m = new Machine(options);
  const ports = new WorkloadPorts();
  const g = bootGenode(m, { kernel: "xen", xen: bootXen(m), programs: workloadPrograms(ports) });
  const r = g.start(workloadInitConfig());
  if (!r.ok) throw new Error(`genode-on-xen: init refused its configuration (${r.error})`);
  m.run({ cycles: 1e6 });
  return new Scenario("genode-on-xen", m, new GenodeTarget(m, g, ports), "Genode on Xen (base-xen): PD = domain, RPC = event channel + granted page");
}
