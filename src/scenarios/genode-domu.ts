/**
 * genode-domu: the seed's third approach — Genode on NOVA, unchanged, inside an HVM DomU of a Xen
 * system with a Linux Dom0 (xenstored, backends, toolstack and QEMU as the HVM device model). The
 * DomU is built by `xl create`; NOVA and Genode run in it on the same machine. The workloads run
 * between Genode components inside the DomU, so their paths are Genode-on-NOVA paths; the TCB
 * adds the Xen world the DomU rests on, read from the live Xen system.
 */
import { Machine, type MachineOptions } from "../machine/index.js";
import { bootGenode, novaPort } from "../genode/index.js";
import { bootNova } from "../microkernel/index.js";
import { bootXen } from "../xen/index.js";
import { GenodeTarget, workloadInitConfig } from "./genode-target.js";
import { WorkloadPorts, workloadPrograms } from "./programs.js";
import { Scenario } from "./scenario.js";
import { guestFacts } from "./xen-target.js";

// The seed's third approach puts Genode on NOVA into an HVM DomU (NOVA needs VMX-style virtualisation).
const DOMU_CFG = `name = "genode"
type = "hvm"
memory = 64
vcpus = 1
vif = [ 'mac=00:16:3e:00:00:0a,bridge=xenbr0' ]
`;

export function genodeDomu(options: MachineOptions): Scenario {
  const m = new Machine(options);
  const xen = bootXen(m);
  xen.files.set("genode.cfg", DOMU_CFG);
  const c = xen.xl(["create", "genode.cfg"]);
  if (c.status !== 0) throw new Error(`genode-domu: xl create: ${c.stderr}`);
  const domid = xen.system.domidOf("genode")!;
  const ports = new WorkloadPorts();
  const g = bootGenode(m, { kernel: "nova", nova: novaPort(bootNova(m)), programs: workloadPrograms(ports) });
  const r = g.start(workloadInitConfig());
  if (!r.ok) throw new Error(`genode-domu: init refused its configuration (${r.error})`);
  m.run({ cycles: 1e6 });
  const below = () => {
    const f = guestFacts(xen, domid);
    return {
      members: ["xen", "Dom0 Linux", ...(f.xenstored ? ["xenstored"] : []), ...(f.toolstack ? ["xl", "libxl"] : []), ...(f.hvm ? ["qemu (device model)"] : [])],
      ids: ["xen-4.22", "linux-ubuntu-14.04", ...(f.xenstored ? ["xenstored-c-4.22"] : []), ...(f.toolstack ? ["xl-4.22", "libxl-4.22"] : []), ...(f.hvm ? ["qemu"] : [])],
    };
  };
  return new Scenario("genode-domu", m, new GenodeTarget(m, g, ports, below), "Genode on NOVA inside an HVM DomU of Xen + Linux Dom0");
}
