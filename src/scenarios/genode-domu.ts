/**
 * genode-domu: the seed's third approach — Genode on NOVA, unchanged, inside an HVM DomU of a Xen
 * system with a Linux Dom0 (xenstored, backends, toolstack, QEMU as the HVM device model). The DomU
 * is built paused by `xl create -p` with a vif and a vbd; instead of a Linux kernel, Genode's
 * user-level drivers take its devices (src/scenarios/domu): xen_blk serves Genode Block sessions
 * through blkfront, xen_nic is nic_router's uplink through netfront, both over the DomU's event
 * channels and grants, every hypercall and upcall taking the NOVA-in-HVM path (nova-hvm-guest.ts).
 * RPC stays inside the DomU; block I/O ends in Dom0's blkback and its disk; packets cross Dom0's
 * bridge to a Linux guest ("peer") that answers ICMP echo at the gateway address.
 */
import { Machine, type MachineOptions } from "../machine/index.js";
import { bootGenode, novaPort } from "../genode/index.js";
import { QEMU_GATEWAY } from "../genode/components/nic-drv.js";
import { bootNova } from "../microkernel/index.js";
import { bootXen, type Xen } from "../xen/index.js";
import { workloadInitConfig } from "./genode-target.js";
import { WorkloadPorts, workloadPrograms } from "./programs.js";
import { Scenario } from "./scenario.js";
import { guestFacts } from "./xen-target.js";
import { DomuTarget, domuPrograms } from "./domu/domu-target.js";
import { IcmpEchoPeer } from "./domu/echo-peer.js";
import { BlockPayload } from "./domu/xen-blk.js";
import { NovaHvmGuest } from "./domu/nova-hvm-guest.js";

// NOVA needs hardware virtualisation to run as a guest kernel unchanged: the DomU is HVM.
const DOMU_CFG = `name = "genode"
type = "hvm"
memory = 64
vcpus = 1
vif = [ 'mac=00:16:3e:00:00:0a,bridge=xenbr0' ]
disk = [ '/dev/vg/genode,raw,xvda,rw' ]
`;
const PEER_MAC = "00:16:3e:00:00:0b";
const PEER_CFG = `name = "peer"
type = "hvm"
memory = 8
vcpus = 1
vif = [ 'mac=${PEER_MAC},bridge=xenbr0' ]
`;

const DRIVER_STARTS = `<start name="xen_blk"><resource name="RAM" quantum="1M"/><provides><service name="Block"/></provides></start>
  <start name="xen_nic"><resource name="RAM" quantum="1M"/><config gateway_mac="${PEER_MAC}"/><route><service name="Uplink"><child name="nic_router"/></service><any-service><parent/></any-service></route></start>`;

function create(xen: Xen, file: string, text: string, paused: boolean): number {
  xen.files.set(file, text);
  const c = xen.xl(paused ? ["create", "-p", file] : ["create", file]);
  if (c.status !== 0) throw new Error(`genode-domu: xl create ${file}: ${c.stderr}`);
  return xen.system.domidOf(text.match(/^name = "(.*)"$/m)![1]!)!;
}

export function genodeDomu(options: MachineOptions): Scenario {
  const m = new Machine(options);
  const xen = bootXen(m);
  const domid = create(xen, "genode.cfg", DOMU_CFG, true);
  const peerId = create(xen, "peer.cfg", PEER_CFG, false);
  const peerFront = [...xen.system.domains.get(peerId)!.kernel!.netfronts.values()][0];
  if (peerFront === undefined || !peerFront.connected) throw new Error("genode-domu: the peer's vif did not connect");
  const peer = new IcmpEchoPeer(peerFront, QEMU_GATEWAY);
  const guest = new NovaHvmGuest(xen, domid);
  const payload = new BlockPayload();
  const ports = new WorkloadPorts();
  const g = bootGenode(m, { kernel: "nova", nova: novaPort(bootNova(m)), programs: [...workloadPrograms(ports), ...domuPrograms(guest, payload)] });
  const r = g.start(workloadInitConfig("xen_blk", DRIVER_STARTS, "xen_nic"));
  if (!r.ok) throw new Error(`genode-domu: init refused its configuration (${r.error})`);
  m.run({ cycles: 1e6 });
  // What the Genode world rests on, read from the live Xen system: the hypervisor, Dom0 with the
  // backends serving this DomU, xenstored and the toolstack that built it, QEMU for an HVM guest.
  const below = (d: number) => {
    const f = guestFacts(xen, d);
    return {
      members: ["xen", "Dom0 Linux", ...(f.xenstored ? ["xenstored"] : []), ...(f.toolstack ? ["xl", "libxl"] : []), ...f.backends.map((b) => `Dom0 Linux ${b}`), ...(f.hvm ? ["qemu (device model)"] : [])],
      ids: ["xen-4.22", "linux-ubuntu-14.04", ...(f.xenstored ? ["xenstored-c-4.22"] : []), ...(f.toolstack ? ["xl-4.22", "libxl-4.22"] : []), ...(f.hvm ? ["qemu"] : [])],
    };
  };
  const target = new DomuTarget(m, g, ports, () => below(domid), payload, { name: "peer", tcb: () => below(peerId), echo: peer }, xen, guest);
  return new Scenario("genode-domu", m, target, "Genode on NOVA inside an HVM DomU of Xen + Linux Dom0, with user-level blkfront/netfront bridges");
}
